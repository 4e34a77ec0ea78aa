import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitSDEs
import ScoreKitSamplers
import ScoreKitTesting
import Testing

@Suite("DPMSolverSDESampler")
struct DPMSolverSDESamplerTests {
    @Test("DPM-Solver++(2M) SDE on VP reproduces the ring in 200 steps", .tags(.slow))
    func reproducesTheRing() throws {
        let sde = VariancePreservingSDE()
        let times = grid(["kind": "log-snr", "steps": 200, "finalStep": "toZero"], for: sde)
        let result = try drawSamples(
            DPMSolverSDESampler(), process: modelProcess(sde), times: times, count: 10_000, seed: 12)
        let report = SampleQualityReport(result.samples)
        print("dpmpp-2m-sde VP 200 log-SNR steps: \(report)")
        #expect(report.meetsTolerances, "\(report)")
        #expect(result.evaluationCount == 200)
    }

    @Test("The heun variant and eta decode; sNoise < 0 is rejected")
    func configuration() throws {
        let sampler = try testRegistry.make(.sampler, from: ["kind": "dpmpp-2m-sde", "solverType": "heun", "eta": 0.5])
        #expect((sampler as? DPMSolverSDESampler)?.configuration.solverType == .heun)
        #expect(throws: ConfigurationError.self) {
            try testRegistry.make(.sampler, from: ["kind": "dpmpp-2m-sde", "sNoise": -1])
        }
    }
}
