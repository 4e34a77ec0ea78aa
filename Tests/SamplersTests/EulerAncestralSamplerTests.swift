import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitSDEs
import ScoreKitSamplers
import ScoreKitTesting
import Testing

@Suite("EulerAncestralSampler")
struct EulerAncestralSamplerTests {
    @Test("Euler ancestral on VP reproduces the ring", .tags(.slow))
    func reproducesTheRing() throws {
        let sde = VariancePreservingSDE()
        let times = grid(["kind": "uniform", "steps": 500, "finalStep": "toZero"], for: sde)
        let result = try drawSamples(
            EulerAncestralSampler(), process: modelProcess(sde), times: times, count: 10_000, seed: 11)
        let report = SampleQualityReport(result.samples)
        print("euler-ancestral VP 500 steps: \(report)")
        #expect(report.meetsTolerances, "\(report)")
    }

    @Test("With eta = 0 no noise enters: two seeds agree")
    func deterministicAtEtaZero() throws {
        let sampler = try #require(
            try testRegistry.make(.sampler, from: ["kind": "euler-ancestral", "eta": 0]) as? EulerAncestralSampler)
        let sde = VariancePreservingSDE()
        let times = grid(["kind": "uniform", "steps": 20], for: sde)
        let x = Tensor([0.5, -0.3, 1.2, 0.1], shape: [2, 2])
        var a = PerSampleNoise(seed: 1)
        var b = PerSampleNoise(seed: 2)
        let first = try runSampler(sampler, process: modelProcess(sde), times: times, initial: x, noise: &a)
        let second = try runSampler(sampler, process: modelProcess(sde), times: times, initial: x, noise: &b)
        #expect(first.samples == second.samples)
    }

    @Test("Negative eta is rejected")
    func validation() {
        #expect(throws: ConfigurationError.self) {
            try testRegistry.make(.sampler, from: ["kind": "euler-ancestral", "eta": -0.5])
        }
    }
}
