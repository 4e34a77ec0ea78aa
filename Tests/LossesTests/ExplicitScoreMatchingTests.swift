import Foundation
import ScoreKitCore
import ScoreKitLosses
import Testing

@Suite struct ExplicitScoreMatchingTests {
    static func configuration(_ settings: ConfigurationValue) throws -> ExplicitScoreMatching.Configuration {
        try ExplicitScoreMatching.Configuration.decode(from: settings, path: "loss")
    }

    /// ½‖s_θ − s*‖²/D against the standard normal's score s* = −x, on clean data.
    @Test func regressesOnAClosureTarget() throws {
        let loss = ExplicitScoreMatching(
            configuration: try Self.configuration(["data": "clean", "fixedTime": 0.05]),
            target: ClosureTargetScore { x, _, _, _ in -x })
        var noise = ReplayedNoise()
        let result = loss.evaluate(
            TrainingBatch(data: tinyData), model: tinyModel, sde: TestProcess(.exploding),
            parameterization: PredictionParameterization(.score), noise: &noise)
        for (i, x) in rows(tinyData).enumerated() {
            let s = tinyModel.apply(x)
            let expected = 0.5 * zip(s, x).map { ($0 + $1) * ($0 + $1) }.reduce(0, +) / 2
            #expect(isClose(Double(result.perSample.scalars[i]), expected, absolute: 1e-6, relative: 1e-5))
        }
    }

    /// A model that outputs ε as the target: s* = −F*/σ; the loss vanishes when the trained model equals it.
    @Test func regressesOnAModelThroughItsPrediction() throws {
        let target = PredictionTargetScore(
            model: LinearModel(a: [[-0.5, 0], [0.3, -0.7]], b: [0, 0.2]), prediction: .epsilon)
        let loss = ExplicitScoreMatching(configuration: try Self.configuration([:])).withTarget(target)
        let process = TestProcess(.trigonometric)
        var noise = ReplayedNoise(normals: [tinyNoise], uniforms: [Tensor([0.5, 0.75])])
        let result = loss.evaluate(
            TrainingBatch(data: tinyData), model: tinyModel, sde: process,
            parameterization: PredictionParameterization(.score),
            noise: &noise)
        for (i, pair) in zip(rows(tinyData), rows(tinyNoise)).enumerated() {
            let m = process.marginal(at: result.times[i])
            let x = zip(pair.0, pair.1).map { m.signalScale * $0 + m.noiseScale * $1 }
            let known = target.model.apply(x).map { -$0 / m.noiseScale }
            let expected =
                m.noiseScale * m.noiseScale * 0.5
                * zip(tinyModel.apply(x), known).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 2
            #expect(isClose(Double(result.perSample.scalars[i]), expected, absolute: 1e-6, relative: 1e-4))
        }
        var again = ReplayedNoise(normals: [tinyNoise], uniforms: [Tensor([0.5, 0.75])])
        let zero = loss.evaluate(
            TrainingBatch(data: tinyData), model: target.model, sde: process,
            parameterization: PredictionParameterization(.epsilon),
            noise: &again)
        #expect(zero.perSample.scalars.allSatisfy { Swift.abs($0) < 1e-10 })
    }

    @Test func isRegisteredWithoutATarget() throws {
        var registry = ComponentRegistry()
        registry.registerLosses()
        #expect(
            Set(registry.ids(of: .loss).map(\.rawValue)) == [
                "classifier-cross-entropy", "consistency-distillation", "consistency-training",
                "denoising-score-matching", "edm", "explicit-score-matching", "flow-matching",
                "implicit-score-matching",
                "sliced-score-matching",
            ])
        let loss = try #require(
            try registry.make(.loss, from: ["kind": "explicit-score-matching"]) as? ExplicitScoreMatching)
        #expect(loss.target == nil)
        #expect(loss.withTarget(ClosureTargetScore { x, _, _, _ in x }).target != nil)
    }

    @Test func evaluatingWithoutATargetStops() async {
        await #expect(processExitsWith: .failure) {
            var noise = PerSampleNoise(seed: 0)
            _ = ExplicitScoreMatching(configuration: .init()).evaluate(
                TrainingBatch(data: tinyData), model: tinyModel, sde: TestProcess(.exploding),
                parameterization: PredictionParameterization(.score), noise: &noise)
        }
    }
}
