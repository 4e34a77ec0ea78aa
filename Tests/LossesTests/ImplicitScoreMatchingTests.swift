import Foundation
import ScoreKitCore
import ScoreKitLosses
import ScoreKitNetworks
import ScoreKitTesting
import Testing

@Suite struct ImplicitScoreMatchingTests {
    static func loss(_ settings: ConfigurationValue) throws -> ImplicitScoreMatching {
        var registry = ComponentRegistry()
        registry.registerLosses()
        return try #require(try registry.make(.loss, from: settings) as? ImplicitScoreMatching)
    }

    /// tr(∇ₓs) + ½‖s‖² for s = A·x + b: tr(A) + ½‖Ax + b‖², /D.
    @Test func cleanDataMatchesHyvarinensObjectiveByHand() throws {
        let loss = try Self.loss([
            "kind": "implicit-score-matching", "data": "clean", "fixedTime": 0.05, "reduction": "sum",
        ])
        var noise = ReplayedNoise()
        let result = loss.evaluate(
            TrainingBatch(data: tinyData), model: tinyModel, sde: TestProcess(.exploding),
            parameterization: PredictionParameterization(.score), noise: &noise)
        for (i, x) in rows(tinyData).enumerated() {
            let s = tinyModel.apply(x)
            let expected = -2.2 + 0.5 * dot(s, s)
            #expect(isClose(Double(result.perSample.scalars[i]), expected, absolute: 1e-6, relative: 1e-5))
        }
    }

    /// Perturbed data with x̂₀-prediction: s = (α·F(x) − x)/σ², ∇ₓs = (α·A − I)/σ², weighted by σ².
    @Test func perturbedDataMatchesByHand() throws {
        let loss = try Self.loss(["kind": "implicit-score-matching"])
        var noise = ReplayedNoise(normals: [tinyNoise], uniforms: [Tensor([0.5, 0.125])])
        let process = TestProcess(.trigonometric)
        let result = loss.evaluate(
            TrainingBatch(data: tinyData), model: tinyModel, sde: process,
            parameterization: PredictionParameterization(.denoised), noise: &noise)
        for (i, pair) in zip(rows(tinyData), rows(tinyNoise)).enumerated() {
            let m = process.marginal(at: result.times[i])
            let (a, s2) = (m.signalScale, m.noiseScale * m.noiseScale)
            let x = zip(pair.0, pair.1).map { a * $0 + m.noiseScale * $1 }
            let s = zip(tinyModel.apply(x), x).map { (a * $0 - $1) / s2 }
            let trace = (a * -2.2 - 2) / s2
            let expected = s2 * (trace + 0.5 * dot(s, s)) / 2
            #expect(isClose(Double(result.perSample.scalars[i]), expected, absolute: 1e-5, relative: 1e-4))
        }
    }

    @Test func parameterGradientsFlowThroughTheTrace() throws {
        // Moderate levels (σ̃ = 1, 0.3, 0.1) keep the loss O(1), so Float32 finite differences stay accurate.
        let loss = try Self.loss(
            [
                "kind": "implicit-score-matching", "weighting": "likelihood", "timeDistribution": "noiseLevels",
                "levelCount": 3,
                "sigmaMax": 1, "sigmaMin": 0.1,
            ])
        let model = NoiseConditionalMLP(dimension: 3, embeddingWidth: 4, hiddenWidths: [5], seed: 6)
        let batch = TrainingBatch(data: Tensor([0.4, -0.3, 1.1, 0.7, -0.9, 0.2], shape: [2, 3]))
        let result = checkGradients(
            of: { inputs in
                var copy = model
                copy.parameters = ParameterSet(Array(zip(model.parameters.names, inputs)))
                var noise = PerSampleNoise(seed: 8)
                return loss.evaluate(
                    batch, model: copy, sde: TestProcess(.trigonometric),
                    parameterization: PredictionParameterization(.velocity),
                    noise: &noise
                ).value
            }, at: model.parameters.tensors, absoluteTolerance: 2e-4, relativeTolerance: 2e-2)
        #expect(result.passed, "\(result)")
    }
}
