import Foundation
import ScoreKitCore
import ScoreKitLosses
import ScoreKitNetworks
import ScoreKitTesting
import Testing

/// Every loss trains the energy network: the loss's gradient with respect to θ, which passes
/// through the recorded ∇ₓE (double backward; triple for implicit score matching's trace), agrees
/// with central finite differences of the loss.
@Suite("EnergyNetwork under every loss")
struct EnergyNetworkLossTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var settings: ConfigurationValue
        var process: TestProcess.Kind
        var prediction: Prediction?
        var testDescription: String { "\(settings["kind"]?.description ?? "?") \(prediction?.rawValue ?? "edm")" }
    }

    static let cases: [Case] = [
        Case(settings: ["kind": "denoising-score-matching"], process: .exploding, prediction: .score),
        Case(settings: ["kind": "denoising-score-matching"], process: .trigonometric, prediction: .epsilon),
        Case(
            settings: ["kind": "denoising-score-matching", "weighting": "likelihood"], process: .trigonometric,
            prediction: .velocity),
        Case(settings: ["kind": "edm"], process: .exploding, prediction: nil),
        Case(settings: ["kind": "flow-matching"], process: .linear, prediction: .flowVelocity),
        Case(settings: ["kind": "implicit-score-matching"], process: .exploding, prediction: .score),
        Case(
            settings: ["kind": "sliced-score-matching", "projectionCount": 2], process: .exploding, prediction: .score),
    ]

    @Test("the loss's parameter gradient through −∇ₓE matches finite differences", arguments: cases)
    func parameterGradients(_ c: Case) throws {
        var registry = ComponentRegistry()
        registry.registerLosses()
        let loss = try registry.make(.loss, from: c.settings)
        let model = EnergyNetwork(dimension: 2, embeddingWidth: 4, hiddenWidths: [6, 6], seed: 4)
        let batch = TrainingBatch(data: Tensor([0.4, -0.3, 1.1, 0.7, -0.9, 0.2], shape: [3, 2]))
        let process = TestProcess(c.process)
        let parameterization: any Parameterization =
            c.prediction.map { PredictionParameterization($0) } ?? EDMTestParameterization()
        func value(_ inputs: [Tensor]) -> Tensor {
            var copy = model
            copy.parameters = ParameterSet(Array(zip(model.parameters.names, inputs)))
            var noise = PerSampleNoise(seed: 5)
            return loss.evaluate(batch, model: copy, sde: process, parameterization: parameterization, noise: &noise)
                .value
        }
        let result = checkGradients(
            of: value, at: model.parameters.tensors, absoluteTolerance: 3e-4, relativeTolerance: 3e-2)
        #expect(result.passed, "\(result)")
        // A zero gradient everywhere would pass trivially.
        #expect(result.elements.map { Swift.abs($0.autodiff) }.max() ?? 0 > 1e-3)
    }
}
