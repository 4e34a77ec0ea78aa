import ScoreKitCore
import ScoreKitNetworks
import ScoreKitTesting
import Testing

/// The class-conditional option of the seed MLP (its other tests are in NoiseConditionalMLPTests).
@Suite struct NoiseConditionalMLPLabelTests {
    @Test func unconditionalParametersAreUnchanged() {
        let plain = NoiseConditionalMLP(dimension: 2, seed: 0)
        let conditional = NoiseConditionalMLP(dimension: 2, classCount: 10, seed: 0)
        #expect(conditional.parameters.names == plain.parameters.names + ["labelEmbedding.weight"])
        #expect(Array(conditional.parameters.tensors.prefix(12)) == plain.parameters.tensors)
        #expect(conditional.parameters["labelEmbedding.weight"]?.shape == [11, 32])
        #expect(plain.parameters.scalarCount == 142_178)
    }

    @Test func registeredArchitecturePassesTheClassCount() throws {
        var registry = ComponentRegistry()
        registry.registerNetworks()
        let architecture = try registry.make(.network, from: ["kind": "mlp", "hiddenWidths": [8], "embeddingWidth": 4])
        let model = architecture.makeModel(sampleShape: [2], classCount: 3, seed: 1)
        #expect(model.parameters.names.last == "labelEmbedding.weight")
        let x = normalTensor([2, 2], seed: 2)
        #expect(
            model(x, condition(count: 2, sigma: 1, labels: [0, 1]))
                != model(x, condition(count: 2, sigma: 1, labels: [2, 2])))
        #expect(model(x, condition(count: 2, sigma: 1, labels: [-1, -1])) == model(x, condition(count: 2, sigma: 1)))
    }

    /// A shared condition with one label for all samples takes the folded first layer (same
    /// values to rounding); with different labels it computes every row's embedding, exactly as
    /// a per-sample condition does.
    @Test func sharedConditionsWithLabels() {
        let model = NoiseConditionalMLP(dimension: 2, classCount: 3, seed: 4)
        let x = normalTensor([5, 2], seed: 5)
        let m = Marginal(signalScale: 1, noiseScale: 0.3, signalScaleDerivative: 0, noiseScaleDerivative: 1)
        func perSample(_ labels: [Int]) -> NoiseCondition {
            NoiseCondition(
                times: Array(repeating: 0.5, count: 5), marginals: Array(repeating: m, count: 5), labels: labels)
        }
        let same = [2, 2, 2, 2, 2]
        let a = model(x, NoiseCondition(count: 5, time: 0.5, marginal: m, labels: same)).scalars
        let b = model(x, perSample(same)).scalars
        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 })
        let mixed = [0, 1, 2, -1, 0]
        #expect(model(x, NoiseCondition(count: 5, time: 0.5, marginal: m, labels: mixed)) == model(x, perSample(mixed)))
    }

    @Test func gradientsReachTheLabelTable() {
        let model = NoiseConditionalMLP(dimension: 2, embeddingWidth: 3, hiddenWidths: [4], classCount: 2, seed: 7)
        let x = normalTensor([3, 2], seed: 8)
        let c = condition(count: 3, sigma: 0.4, labels: [1, -1, 0])
        let result = checkGradients(
            of: { inputs in
                var copy = model
                copy.parameters = replacing(model.parameters, with: inputs)
                return copy(x, c)
            }, at: model.parameters.tensors, absoluteTolerance: 2e-3, relativeTolerance: 2e-2)
        #expect(result.passed, "\(result)")
        #expect(
            result.elements.contains { $0.input == model.parameters.tensors.count - 1 && Swift.abs($0.autodiff) > 1e-4 }
        )
    }
}
