import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitSDEs
import ScoreKitSamplers
import ScoreKitTesting
import Testing

@Suite("AncestralSampler")
struct AncestralSamplerTests {
    @Test("DDPM's own 1000-step chain reproduces the ring", .tags(.slow))
    func ddpmReproducesTheRing() throws {
        let sde = DiscreteDDPMSDE()
        let times = grid(["kind": "discrete", "steps": 1000], for: sde)
        #expect(times.count == 1001 && times.last == 0)
        let result = try drawSamples(
            AncestralSampler(), process: modelProcess(sde), times: times, count: 10_000, seed: 2)
        let report = SampleQualityReport(result.samples)
        print("ancestral DDPM 1000 steps: \(report)")
        #expect(report.meetsTolerances, "\(report)")
        #expect(result.evaluationCount == 1000)
    }

    @Test("SMLD ancestral sampling on VE reproduces the ring", .tags(.slow))
    func smldReproducesTheRing() throws {
        let sde = VarianceExplodingSDE()
        let times = grid(["kind": "uniform", "steps": 500, "finalStep": "toZero"], for: sde)
        let result = try drawSamples(
            AncestralSampler(), process: modelProcess(sde), times: times, count: 10_000, seed: 3)
        let report = SampleQualityReport(result.samples)
        print("ancestral VE 500 steps: \(report)")
        #expect(report.meetsTolerances, "\(report)")
    }

    @Test("A step is the posterior q(x_s | x_t, x̂₀); a step to t = 0 returns x̂₀")
    func stepIsThePosterior() throws {
        let sde = VariancePreservingSDE()
        let process = modelProcess(sde)
        let x = Tensor([0.3, -1.2, 2.0, 0.5], shape: [2, 2])
        var noise = PerSampleNoise(seed: 9)
        var copy = noise
        var state: Void = ()
        let step = TimeStep(start: 0.5, end: 0.4, index: 0, count: 2)
        let next = try AncestralSampler().step(x, over: step, state: &state, process: process, noise: &noise)
        let p = sde.posterior(at: 0.4, given: 0.5)
        let expected =
            x * Float(p.noisyScale) + process.denoised(x, at: 0.5) * Float(p.dataScale)
            + copy.normal([2, 2]) * Float(p.standardDeviation)
        #expect(zip(next.scalars, expected.scalars).allSatisfy { Swift.abs($0 - $1) <= 1e-6 })
        let last = TimeStep(start: 0.01, end: 0, index: 1, count: 2)
        let final = try AncestralSampler().step(x, over: last, state: &state, process: process, noise: &noise)
        #expect(final == process.denoised(x, at: 0.01))
    }

    @Test("The forward-variance option widens each step to b")
    func forwardVariance() throws {
        var configuration = AncestralSampler.Configuration()
        configuration.variance = .forward
        let sampler = try testRegistry.make(.sampler, from: ["kind": "ancestral", "variance": "forward"])
        #expect((sampler as? AncestralSampler)?.configuration == configuration)
        #expect(throws: ConfigurationError.self) {
            try testRegistry.make(.sampler, from: ["kind": "ancestral", "variance": "wide"])
        }
    }
}
