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

    @Test("The acceptance rate is counted per grid step: near 1 for a tiny step, inside (0, 1) for a large one")
    func acceptanceRate() throws {
        let process = ExactMixtureProcess(sde: VariancePreservingSDE())
        let times = [0.3, 1e-3, 5e-4]
        var rates: [Double] = []
        for stepSize in [1e-4, 0.5] {
            var configuration = MetropolisAdjustedLangevinSampler.Configuration()
            configuration.stepSize = stepSize
            configuration.steps = 20
            var noise = PerSampleNoise(seed: 9)
            let initial = process.sde.samplePrior([200, 2], noise: &noise)
            let outcome = try runSampler(
                try MetropolisAdjustedLangevinSampler(configuration: configuration), process: process, times: times,
                initial: initial, noise: &noise)
            let acceptance = try #require(outcome.acceptance)
            #expect(acceptance.times == [0.3, 1e-3])
            #expect(acceptance.proposed == [200 * 20, 200 * 20])
            #expect(acceptance.accepted.allSatisfy { $0 <= 200 * 20 })
            rates.append(try #require(acceptance.rate))
        }
        // A step of 1e-4 against modes of variance 0.16: the proposal is almost reversible.
        #expect(rates[0] > 0.99, "ε = 1e-4: \(rates[0])")
        // √(2ε) = 1 against the modes' 0.4: most proposals leave the mode, some stay.
        #expect(rates[1] > 0.01 && rates[1] < 0.6, "ε = 0.5: \(rates[1])")
    }

    @Test("Shards' acceptance counts add up to the counts of one run; other samplers report none")
    func acceptanceAcrossShards() throws {
        let process = ExactMixtureProcess(sde: VariancePreservingSDE())
        var configuration = MetropolisAdjustedLangevinSampler.Configuration()
        configuration.steps = 10
        configuration.stepSize = 0.05
        let sampler = try MetropolisAdjustedLangevinSampler(configuration: configuration)
        let times = [0.5, 0.1, 1e-3]
        let whole = try ShardedSampling(sampler: sampler, times: times, rowsPerShard: 96, alignment: 32)
            .run(count: 96, sampleShape: [2], seed: 4) { _ in process }
        let sharded = try ShardedSampling(sampler: sampler, times: times, rowsPerShard: 32, alignment: 32)
            .run(count: 96, sampleShape: [2], seed: 4) { _ in process }
        #expect(sharded.shards.count == 3)
        let counts = try #require(sharded.acceptance)
        #expect(counts == whole.acceptance)
        #expect(counts.proposed == [960, 960])
        let heun = try ShardedSampling(sampler: HeunSampler(), times: times, rowsPerShard: 32)
            .run(count: 64, sampleShape: [2], seed: 4) { _ in process }
        #expect(heun.acceptance == nil)
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
