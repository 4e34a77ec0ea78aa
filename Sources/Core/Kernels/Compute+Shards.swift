import CScoreKitBLAS
import Dispatch
import Synchronization

extension Compute {
    /// Whether the current thread runs a shard of `forEachShard` (nested regions run serially).
    @TaskLocal static var insideShard = false

    private static let shardRegions = Mutex<Int>(0)

    /// Runs `body(k)` for every shard `k` in `0..<count`, on up to `threadCount` threads at once,
    /// each calling a single-threaded BLAS.
    ///
    /// ScoreKit parallelises across samples: a batch is cut into shards of rows that run whole
    /// (forward, backward, a sampler's loop) on their own thread, so that threads meet once per
    /// region instead of once per matrix product, and each shard's matrices stay in its core's
    /// cache. While any region runs, OpenBLAS is set to one thread (calls from several threads are
    /// safe then); the configured count is restored when the last region ends. Inside a shard,
    /// nested regions and `parallelChunks` run serially, and autodiff records as it did where the
    /// region started.
    ///
    /// Shards are taken in order by whichever thread is free; `body` must only write what belongs
    /// to its shard. With one thread, or inside another region, the shards run in order on the
    /// calling thread.
    ///
    /// `asRegion` makes even one shard, or one thread, a region (single-threaded BLAS, serial
    /// kernels): each shard then computes the same bits whatever the thread count, as one of
    /// several shards of a larger batch does (a rank of a distributed run computing its share).
    public static func forEachShard(_ count: Int, asRegion: Bool = false, _ body: (Int) -> Void) {
        let threads = Swift.max(1, Swift.min(threadCount, count))
        guard threads > 1 || (asRegion && count > 0), !insideShard else {
            withDenormalsFlushed {
                for k in 0..<count { body(k) }
            }
            return
        }
        let recording = Autodiff.isRecording
        shardRegions.withLock { active in
            if active == 0 { openblas_set_num_threads(1) }
            active += 1
        }
        defer {
            shardRegions.withLock { active in
                active -= 1
                if active == 0 { openblas_set_num_threads(Int32(threadCount)) }
            }
        }
        let next = ShardCounter()
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                $insideShard.withValue(true) {
                    Autodiff.$recordingDisabled.withValue(!recording) {
                        withDenormalsFlushed {
                            while true {
                                let k = next.take()
                                if k >= count { break }
                                box.value(k)
                            }
                        }
                    }
                }
            }
        }
    }

    /// `body` on every shard of `shardRanges(count:rows:)` in parallel (`forEachShard`), the results
    /// in shard order; when shards throw, the error of the first of them in order is rethrown.
    public static func mapShards<Result, Failure: Error>(
        count: Int, rows: Int, _ body: (Range<Int>) throws(Failure) -> Result
    ) throws(Failure) -> [Result] {
        try mapShards(shardRanges(count: count, rows: rows), body)
    }

    /// `body` on every range of `ranges` in parallel, as `mapShards(count:rows:_:)`; `asRegion`
    /// as in `forEachShard(_:asRegion:_:)`.
    public static func mapShards<Result, Failure: Error>(
        _ ranges: [Range<Int>], asRegion: Bool = false, _ body: (Range<Int>) throws(Failure) -> Result
    ) throws(Failure) -> [Result] {
        var results = [Swift.Result<Result, Failure>?](repeating: nil, count: ranges.count)
        results.withUnsafeMutableBufferPointer { slots in
            let output = UncheckedSendable(slots)
            forEachShard(ranges.count, asRegion: asRegion) { k in
                output.value[k] = Swift.Result { () throws(Failure) -> Result in try body(ranges[k]) }
            }
        }
        return try results.map { (slot) throws(Failure) -> Result in try slot!.get() }
    }

    /// Cuts `0..<count` into contiguous shards of about `rows` rows each (the last may be shorter
    /// by less than a shard), independent of the thread count, so that results that depend on how
    /// a batch is cut stay the same on any number of threads.
    public static func shardRanges(count: Int, rows: Int) -> [Range<Int>] {
        precondition(rows >= 1, "a shard needs at least one row, got \(rows)")
        guard count > 0 else { return [] }
        let shards = Swift.max(1, (count + rows / 2) / rows)
        let size = count / shards
        let extra = count % shards
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(shards)
        var start = 0
        for k in 0..<shards {
            let end = start + size + (k < extra ? 1 : 0)
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }
}

extension Compute {
    /// `shardRanges(count:rows:)` cut on whole multiples of `alignment` rows: about `rows` rows a
    /// shard, every shard but the last a multiple of `alignment`. For work whose kernels run on
    /// blocks of rows, such as the panels of 32 samples of untracked networks (`PanelBatch`):
    /// 10,000 samples in shards of about 512 are 20 shards of 500 (15 panels and 20 rows: 12
    /// rows of padding computed in every shard), but 13 of 512 and 7 of 480 rows aligned to 32.
    public static func shardRanges(count: Int, rows: Int, alignedTo alignment: Int) -> [Range<Int>] {
        precondition(alignment >= 1, "an alignment needs at least one row, got \(alignment)")
        let blocks = (count + alignment - 1) / alignment
        let perShard = Swift.max(1, (rows + alignment / 2) / alignment)
        return shardRanges(count: blocks, rows: perShard).map {
            ($0.lowerBound * alignment)..<Swift.min(count, $0.upperBound * alignment)
        }
    }
}

extension Compute {
    /// Runs `body(i, range)` over the elements of several buffers of `counts` elements, cut into
    /// pieces of at most `maximum` elements that run as shards (`forEachShard`): for elementwise
    /// updates over many tensors, such as an optimizer's. `body` must only touch its piece.
    public static func forEachPiece(counts: [Int], maximum: Int, _ body: (Int, Range<Int>) -> Void) {
        let pieces = pieces(counts: counts, maximum: maximum)
        forEachShard(pieces.count) { k in body(pieces[k].0, pieces[k].1) }
    }

    /// The pieces `forEachPiece` runs, in order: (buffer index, element range).
    public static func pieces(counts: [Int], maximum: Int) -> [(Int, Range<Int>)] {
        precondition(maximum >= 1, "a piece needs at least one element, got \(maximum)")
        var pieces: [(Int, Range<Int>)] = []
        for (i, count) in counts.enumerated() where count > 0 {
            let parts = (count + maximum - 1) / maximum
            let size = (count + parts - 1) / parts
            var start = 0
            while start < count {
                pieces.append((i, start..<Swift.min(count, start + size)))
                start += size
            }
        }
        return pieces
    }
}

/// The next shard to run, shared by the threads of one region.
private final class ShardCounter: Sendable {
    private let value = Atomic<Int>(0)

    func take() -> Int { value.add(1, ordering: .relaxed).oldValue }
}
