import ScoreKitCore
import Testing

@Suite("RecordedNoise: replayed draws")
struct RecordedNoiseTests {
    static let values = Tensor((0..<24).map(Float.init), shape: [3, 4, 2])

    /// `[calls, count, …]`: the k-th draw is array k, a shard its rows; any distribution asked for.
    @Test func perCallDrawsReplayInOrderAndByRows() throws {
        var noise = try RecordedNoise(recording: Self.values)
        #expect(noise.layout == .perCall && noise.sampleCount == 4)
        #expect(noise.normal([4, 2]).scalars == Array((0..<8).map(Float.init)))
        var shard = try #require(noise.shard(1..<3))
        #expect(shard.rademacher([2, 2]).scalars == [10, 11, 12, 13])
        #expect(shard.uniform([2, 2]).scalars == [18, 19, 20, 21])
        noise.advance(pastShard: shard)
        #expect(noise.callCount == 3 && noise.problem == nil)
        // A fourth draw is past the recording: zeros, and the problem named.
        #expect(noise.normal([4, 2]).scalars == Array(repeating: 0, count: 8))
        #expect(noise.problem == "draw 4 of shape [4, 2] is past the recording's 3 draws")
    }

    /// `[count, values]`: each draw takes the next values of every row.
    @Test func perSampleSequencesReplayInOrder() throws {
        var noise = try RecordedNoise(recording: Tensor((0..<12).map(Float.init), shape: [2, 6]))
        #expect(noise.layout == .perSample)
        #expect(noise.normal([2, 2]).scalars == [0, 1, 6, 7])
        #expect(noise.normal([2, 1, 2]).shape == [2, 1, 2])
        var shard = try #require(noise.shard(1..<2))
        #expect(shard.normal([1, 2]).scalars == [10, 11])
        #expect(noise.normal([2, 3]).scalars == Array(repeating: 0, count: 6))
        #expect(noise.problem == "draw 3 needs values 5–7 of each sample, the recording has 6")
    }

    @Test func mismatchedDrawsAndRecordingsAreNamed() throws {
        var noise = try RecordedNoise(recording: Self.values)
        _ = noise.normal([4, 3])
        #expect(noise.problem == "draw 1 has shape [4, 3], the recording's draws are [count] + [2]")
        var rows = try RecordedNoise(recording: Self.values)
        _ = rows.normal([3, 2])
        #expect(rows.problem == "draw 1 asks for 3 rows, the recording serves 4")
        #expect(throws: NoiseRecordingError.rank([5])) { try RecordedNoise(recording: Tensor.zeros([5])) }
        #expect(try RecordedNoise(recording: Self.values).shard(2..<5) == nil)
    }
}

@Suite("Dynamic thresholding of rows")
struct ThresholdedRowsTests {
    /// Row 1: |x| sorted 0.1, 0.5, 2, 3; the 0.75 quantile at position 2.25 is 2.25, inside [1, 2.5].
    /// Row 2: the quantile 0.325 is raised to 1, which leaves the row as it is.
    @Test func quantileThresholdAndRescale() {
        let x = Tensor([0.5, -2, 3, 0.1, 0.2, 0.3, -0.4, 0.1], shape: [2, 2, 2])
        let y = x.thresholdedRows(percentile: 0.75, maximum: 2.5)
        let expected: [Float] = [0.5 / 2.25, -2 / 2.25, 1, 0.1 / 2.25, 0.2, 0.3, -0.4, 0.1]
        #expect(y.shape == [2, 2, 2])
        for (a, b) in zip(y.scalars, expected) { #expect(Swift.abs(a - b) < 1e-6) }
        // The threshold is capped at the maximum: 2.25 → 1.5.
        let capped = x.thresholdedRows(percentile: 0.75, maximum: 1.5).scalars
        #expect(capped[2] == 1 && Swift.abs(capped[1] + 1) < 1e-6 && Swift.abs(capped[0] - 0.5 / 1.5) < 1e-6)
    }
}
