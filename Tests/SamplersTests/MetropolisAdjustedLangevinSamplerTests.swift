import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitSDEs
import ScoreKitSamplers
import ScoreKitTesting
import Testing

@Suite("MetropolisAdjustedLangevinSampler")
struct MetropolisAdjustedLangevinSamplerTests {
    @Test("MALA at the data end has no step-size bias", .tags(.slow))
    func unbiased() throws {
        var configuration = MetropolisAdjustedLangevinSampler.Configuration()
        configuration.stepSize = 0.02
        configuration.steps = 200
        let sampler = try MetropolisAdjustedLangevinSampler(configuration: configuration)
        let process = ExactMixtureProcess(sde: VariancePreservingSDE())
        let result = try drawSamples(sampler, process: process, times: dataEndLevel, count: 10_000, seed: 7)
        let report = SampleQualityReport(result.samples)
        print("mala ε = 0.02, 200 iterations: \(report)")
        #expect(report.meetsTolerances, "\(report)")
        #expect(result.evaluationCount == 201)
    }

    @Test("A model with a log-density behind ModelReverseProcess gives MALA its log p_t")
    func modelWithLogDensity() throws {
        var noise = PerSampleNoise(seed: 0)
        let outcome = try runSampler(
            MetropolisAdjustedLangevinSampler(), process: modelProcess(VariancePreservingSDE()), times: dataEndLevel,
            initial: Tensor.zeros([4, 2]), noise: &noise)
        #expect(outcome.samples.isFinite)
        #expect(outcome.evaluationCount == 101)
    }

    @Test("A process without a log-density is refused with a typed error")
    func needsLogDensity() {
        // A score-only model (no LogDensityModel) behind ModelReverseProcess.
        let process = ModelReverseProcess(
            sde: VariancePreservingSDE(), parameterization: DenoisedPrediction(), model: LabelledMixtureModel())
        var noise = PerSampleNoise(seed: 0)
        #expect(throws: SamplingError.self) {
            try runSampler(
                MetropolisAdjustedLangevinSampler(), process: process, times: dataEndLevel,
                initial: Tensor.zeros([4, 2]),
                noise: &noise)
        }
        do {
            _ = try runSampler(
                MetropolisAdjustedLangevinSampler(), process: process, times: dataEndLevel,
                initial: Tensor.zeros([4, 2]),
                noise: &noise)
        } catch {
            guard case .unsupportedProcess(let sampler, _) = error else {
                Issue.record("expected unsupportedProcess, got \(error)")
                return
            }
            #expect(sampler == "mala")
            #expect(error.description.contains("needs a log-density"))
        }
    }

    @Test("A huge step is rejected, never turned into NaN")
    func hugeStepsAreRejected() throws {
        var configuration = MetropolisAdjustedLangevinSampler.Configuration()
        configuration.stepSize = 1e6
        configuration.steps = 20
        let process = ExactMixtureProcess(sde: VariancePreservingSDE())
        let result = try drawSamples(
            try MetropolisAdjustedLangevinSampler(configuration: configuration), process: process, times: dataEndLevel,
            count: 100, seed: 8)
        #expect(result.samples.isFinite)
    }
}
