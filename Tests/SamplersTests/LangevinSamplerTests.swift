import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitSDEs
import ScoreKitSamplers
import ScoreKitTesting
import Testing

/// One level at VP's data end, t = 1e-3 (σ ≈ 0.01): the iterations of a one-step grid run there.
let dataEndLevel: [Double] = [1e-3, 5e-4]

@Suite("LangevinSampler")
struct LangevinSamplerTests {
    @Test("ULA at the data end, from the prior, finds every mode with its weight", .tags(.slow))
    func findsTheModes() throws {
        var configuration = LangevinSampler.Configuration()
        configuration.stepSize = 0.005
        configuration.steps = 400
        let sampler = try LangevinSampler(configuration: configuration)
        let sde = VariancePreservingSDE()
        let result = try drawSamples(sampler, process: modelProcess(sde), times: dataEndLevel, count: 10_000, seed: 6)
        let report = SampleQualityReport(result.samples)
        print("langevin (ULA) ε = 0.005, 400 iterations: \(report)")
        // ULA's stationary variance is v/(1 − ε/2v): 1.6 % too wide here, so the log-density is low.
        #expect(report.largestShareError <= 0.015, "\(report)")
        #expect(report.logDensityGap < 0 && report.logDensityGap > -0.06, "\(report)")
        #expect(result.evaluationCount == 400)
    }

    @Test("Temperature τ = 0.5 samples p^{1/τ}: each mode's variance halves")
    func temperature() throws {
        var configuration = LangevinSampler.Configuration()
        configuration.stepSize = 0.005
        configuration.steps = 300
        configuration.temperature = 0.5
        let sampler = try LangevinSampler(configuration: configuration)
        let sde = VariancePreservingSDE()
        let result = try drawSamples(sampler, process: modelProcess(sde), times: dataEndLevel, count: 2000, seed: 16)
        let report = SampleQualityReport(result.samples)
        // In 2-D, E[log N(x; μ, v)] rises by (1 − τ) = 0.5 when x ~ N(μ, τv).
        print("langevin (ULA) τ = 0.5: \(report)")
        #expect(report.logDensityGap > 0.4 && report.logDensityGap < 0.6, "\(report)")
    }

    @Test("The final step to t = 0 ends with Tweedie's x̂₀, one more evaluation")
    func finalDenoising() throws {
        var configuration = LangevinSampler.Configuration()
        configuration.steps = 3
        let sampler = try LangevinSampler(configuration: configuration)
        let sde = VariancePreservingSDE()
        let process = modelProcess(sde)
        let x = Tensor([4.8, 0.3, -0.2, 5.1], shape: [2, 2])
        var noise = PerSampleNoise(seed: 1)
        let outcome = try runSampler(sampler, process: process, times: [1e-3, 0], initial: x, noise: &noise)
        #expect(outcome.evaluationCount == 4 && sampler.evaluationCount(forTimes: [1e-3, 0]) == 4)
        var replay = PerSampleNoise(seed: 1)
        var expected = x
        for _ in 0..<3 {
            let score = process.score(expected, at: 1e-3)
            expected = expected + score * Float(0.01) + replay.normal([2, 2]) * Float((0.02).squareRoot())
        }
        #expect(outcome.samples == process.denoised(expected, at: 1e-3))
    }

    @Test("Out-of-range settings are rejected with the key")
    func validation() {
        for (key, value) in [("stepSize", ConfigurationValue(0.0)), ("steps", 0), ("temperature", -1.0)] {
            #expect(throws: ConfigurationError.self, "\(key)") {
                try testRegistry.make(
                    .sampler, from: .mapping([.init(key: "kind", value: "langevin"), .init(key: key, value: value)]))
            }
        }
    }
}
