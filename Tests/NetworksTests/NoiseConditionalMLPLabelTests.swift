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
