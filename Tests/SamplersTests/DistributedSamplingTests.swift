import ScoreKitCore
import ScoreKitSDEs
import ScoreKitSamplers
import ScoreKitTesting
import Testing

/// The sampling pipeline on ranks of one process (the exact ring's reverse SDE): every rank
/// receives one process's samples.
@Suite("Distributed sampling")
struct DistributedSamplingTests {
    static func draw(_ collectives: Collectives) -> [Float] {
        let process = exactProcess(VariancePreservingSDE())
        var sampling = ShardedSampling(
            sampler: EulerMaruyamaSampler(), times: uniformTimes(steps: 20, to: 1e-3), rowsPerShard: 64)
        sampling.collectives = collectives
        let outcome = try? sampling.run(count: 1_000, sampleShape: [2], seed: 11) { _ in process }
        return outcome?.samples.scalars ?? []
    }

    @Test("2 and 3 ranks draw one process's samples bit for bit, on every rank", arguments: [2, 3])
    func ranksGiveTheOneProcessSamples(_ size: Int) {
        let reference = Self.draw(.single)
        #expect(reference.count == 2_000)
        for (rank, samples) in LocalProcessGroup.run(size: size, { Self.draw($0) }).enumerated() {
            #expect(samples == reference, "rank \(rank) of \(size)")
        }
    }
}
