/// All randomness a sampler or loss uses, seeded, with one stream per sample.
///
/// The slice `[i, …]` of every draw comes from sample i's own stream, so a sample's noise depends on
/// its seed, its index and how many draws came before, never on how many samples run together
/// or on the thread count (as EDM's per-sample generators).
public protocol NoiseSource: Sendable {
    /// Standard normal draws of `shape` (first axis: samples).
    mutating func normal(_ shape: [Int]) -> Tensor
    /// Uniform draws in [0, 1) of `shape`.
    mutating func uniform(_ shape: [Int]) -> Tensor
    /// ±1 with probability ½ each, of `shape` (Hutchinson probes).
    mutating func rademacher(_ shape: [Int]) -> Tensor

    /// Rows `rows` of this source as a source of their own: its k-th call gives the rows `rows` of
    /// what this source's k-th call would give. `nil` when the draws cannot be cut by rows (the
    /// default); work that would run in shards then runs as one batch.
    func shard(_ rows: Range<Int>) -> Self?

    /// Moves this source past the calls that `shard`, one of its shards, made (every shard of a
    /// batch makes the same calls).
    mutating func advance(pastShard shard: Self)
}

extension NoiseSource {
    public func shard(_ rows: Range<Int>) -> Self? { nil }

    public mutating func advance(pastShard shard: Self) {}
}

/// Counter-based per-sample noise on Philox-4x32-10 (`RandomStream`).
///
/// Sample `firstSample + i` of a batch draws from stream `(seed, firstSample + i)`; every call
/// advances all streams by the same number of blocks, ⌈(values per sample)/4⌉, so the k-th call
/// of a run gives sample j the same values whatever the batch it is drawn in.
public struct PerSampleNoise: NoiseSource, Equatable {
    /// The run's seed.
    public let seed: UInt64
    /// The global index of the batch's first sample.
    public let firstSample: Int
    /// Blocks consumed so far by every stream (saved in checkpoints to resume bit-exactly).
    public var drawCounter: UInt64

    public init(seed: UInt64, firstSample: Int = 0, drawCounter: UInt64 = 0) {
        precondition(firstSample >= 0, "sample indices start at 0, got \(firstSample)")
        self.seed = seed
        self.firstSample = firstSample
        self.drawCounter = drawCounter
    }

    public func shard(_ rows: Range<Int>) -> PerSampleNoise? {
        PerSampleNoise(seed: seed, firstSample: firstSample + rows.lowerBound, drawCounter: drawCounter)
    }

    public mutating func advance(pastShard shard: PerSampleNoise) {
        precondition(shard.seed == seed, "a shard of seed \(shard.seed) cannot advance noise of seed \(seed)")
        drawCounter = shard.drawCounter
    }

    public mutating func normal(_ shape: [Int]) -> Tensor {
        draw(shape, RandomStream.normals)
    }

    public mutating func uniform(_ shape: [Int]) -> Tensor {
        draw(shape, RandomStream.uniforms)
    }

    public mutating func rademacher(_ shape: [Int]) -> Tensor {
        draw(shape, RandomStream.signs)
    }

    /// Row r from stream (seed, firstSample + r), `values` mapping each block to four values
    /// (`RandomStream.fill`). Rows of up to four values take one block of their stream each,
    /// made four rows at a time.
    private mutating func draw(_ shape: [Int], _ values: (SIMD4<UInt32>) -> SIMD4<Float>) -> Tensor {
        let rows = shape.first ?? 1
        let width = rows == 0 ? 0 : Tensor.elementCount(of: shape) / rows
        let counter = drawCounter
        let first = UInt64(firstSample)
        let seed = self.seed
        drawCounter += UInt64((width + 3) / 4)
        return Tensor(shape: shape) { buffer in
            if (1...4).contains(width) {
                RandomStream.fillRows(
                    buffer, width: width, seed: seed, firstStream: first, drawCounter: counter, values)
                return
            }
            for r in 0..<rows {
                var stream = RandomStream(seed: seed, stream: first + UInt64(r), drawCounter: counter)
                stream.fill(UnsafeMutableBufferPointer(rebasing: buffer[(r * width)..<((r + 1) * width)]), values)
            }
        }
    }
}
