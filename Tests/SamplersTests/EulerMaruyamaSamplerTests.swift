import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitSDEs
import ScoreKitSamplers
import ScoreKitTesting
import Testing

@Suite("EulerMaruyamaSampler")
struct EulerMaruyamaSamplerTests {
    @Test("10,000 samples over 1000 steps of VP reproduce the ring", .tags(.slow))
    func reproducesTheRing() throws {
        let sde = VariancePreservingSDE()
        let times = grid(["kind": "uniform", "steps": 1000], for: sde)
        let clock = ContinuousClock()
        var result: (samples: Tensor, evaluationCount: Int)!
        let elapsed = try clock.measure {
            result = try drawSamples(
                EulerMaruyamaSampler(), process: modelProcess(sde), times: times, count: 10_000, seed: 1)
        }
        let report = SampleQualityReport(result.samples)
        print("euler-maruyama VP 1000 steps (\(elapsed)): \(report)")
        #expect(report.meetsTolerances, "\(report)")
        #expect(result.evaluationCount == 1000)
    }
}
