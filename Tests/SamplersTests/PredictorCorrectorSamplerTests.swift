import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitSDEs
import ScoreKitSamplers
import ScoreKitTesting
import Testing

@Suite("PredictorCorrectorSampler")
struct PredictorCorrectorSamplerTests {
    @Test("Reverse diffusion + Langevin (snr 0.16) on VE reproduces the ring", .tags(.slow))
    func reproducesTheRing() throws {
        let sde = VarianceExplodingSDE()
        let times = grid(["kind": "uniform", "steps": 500, "finalStep": "toZero"], for: sde)
        let sampler = PredictorCorrectorSampler(predictor: ReverseDiffusionSampler(), corrector: LangevinCorrector())
        let result = try drawSamples(sampler, process: modelProcess(sde), times: times, count: 10_000, seed: 4)
        let report = SampleQualityReport(result.samples)
        print("predictor-corrector VE 500 steps: \(report)")
        #expect(report.meetsTolerances, "\(report)")
        #expect(result.evaluationCount == 1000)
        #expect(sampler.evaluationCount(forStepCount: 500) == 1000)
    }

    @Test("The corrector's step rules: expected and per-sample norms are batch-invariant, batch norms are not")
    func stepRules() throws {
        let sde = VarianceExplodingSDE()
        let times = grid(["kind": "uniform", "steps": 10, "finalStep": "toZero"], for: sde)
        for (rule, invariant) in [("expectedNorms", true), ("sampleNorms", true), ("batchNorms", false)] {
            let sampler = try testRegistry.make(
                .sampler,
                from: ["kind": "predictor-corrector", "corrector": ["kind": "langevin", "stepRule": .string(rule)]])
            let whole = try drawSamples(sampler, process: modelProcess(sde), times: times, count: 64, seed: 15)
            let halves = try drawSamples(
                sampler, process: modelProcess(sde), times: times, count: 64, chunk: 32, seed: 15)
            #expect((whole.samples == halves.samples) == invariant, "\(rule)")
        }
    }

    @Test("A recipe composes nested predictor and corrector sections")
    func recipeComposition() throws {
        let resolved = try testRegistry.resolve(
            .sampler,
            from: [
                "kind": "predictor-corrector", "predictor": ["kind": "ancestral"],
                "corrector": ["kind": "langevin", "snr": 0.2, "steps": 3],
            ])
        let sampler = try #require(resolved.product as? PredictorCorrectorSampler)
        #expect(sampler.predictor is AncestralSampler)
        #expect((sampler.corrector as? LangevinCorrector)?.configuration.snr == 0.2)
        #expect(sampler.evaluationCount(forStepCount: 10) == 40)
        #expect(resolved.configuration["corrector"]?["steps"] == 3)
        #expect(resolved.configuration["corrector"]?["stepRule"] == "expectedNorms")
        let defaults = try #require(
            try testRegistry.make(.sampler, from: ["kind": "predictor-corrector"]) as? PredictorCorrectorSampler)
        #expect(defaults.predictor is ReverseDiffusionSampler)
        #expect((defaults.corrector as? LangevinCorrector)?.configuration == LangevinCorrector.Configuration())
    }

    @Test("Nested errors name the nested key")
    func nestedErrors() {
        #expect(throws: ConfigurationError.self) {
            try testRegistry.make(.sampler, from: ["kind": "predictor-corrector", "corrector": ["kind": "langevn"]])
        }
        do {
            _ = try testRegistry.make(
                .sampler, from: ["kind": "predictor-corrector", "corrector": ["kind": "langevin", "snr": -1]])
            Issue.record("a negative snr was accepted")
        } catch {
            #expect("\(error)".contains("sampler.corrector.snr"), "\(error)")
        }
        do {
            _ = try testRegistry.make(
                .sampler, from: ["kind": "predictor-corrector", "predictor": ["kind": "reverse-diffusion", "eta": 1]])
            Issue.record("an unknown predictor key was accepted")
        } catch {
            #expect("\(error)".contains("eta"), "\(error)")
        }
    }

    @Test("A step corrects at its start time, then predicts")
    func correctsThenPredicts() throws {
        let sde = VarianceExplodingSDE()
        let process = modelProcess(sde)
        let sampler = PredictorCorrectorSampler(predictor: ReverseDiffusionSampler(), corrector: LangevinCorrector())
        let x = Tensor([3, -1, 0.5, 4], shape: [2, 2])
        let step = TimeStep(start: 0.6, end: 0.5, index: 0, count: 3)
        var noise = PerSampleNoise(seed: 12)
        var copy = noise
        var state = sampler.initialState(for: SamplingProblem(shape: [2, 2], times: [0.6, 0.5, 0.4, 0]))
        let result = try sampler.step(x, over: step, state: &state, process: process, noise: &noise)
        let corrected = try LangevinCorrector().correct(x, over: step, process: process, noise: &copy)
        var unit: Void = ()
        let expected = try ReverseDiffusionSampler().step(
            corrected, over: step, state: &unit, process: process, noise: &copy)
        #expect(result == expected)
    }
}
