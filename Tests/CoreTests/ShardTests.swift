import Foundation
import ScoreKitCore
import Synchronization
import Testing

@Suite struct ShardTests {
    @Test(arguments: [
        (512, 256, [256, 256]), (500, 256, [250, 250]), (100, 256, [100]), (700, 256, [234, 233, 233]),
    ])
    func shardRangesDependOnTheCountOnly(count: Int, rows: Int, sizes: [Int]) {
        let ranges = Compute.shardRanges(count: count, rows: rows)
        #expect(ranges.map(\.count) == sizes)
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == count)
        for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
        #expect(Compute.shardRanges(count: 0, rows: rows).isEmpty)
    }

    @Test func everyShardRunsOnceAndNestedRegionsRunSerially() {
        let runs = Mutex([Int](repeating: 0, count: 37))
        let nested = Mutex(0)
        Compute.forEachShard(37) { k in
            runs.withLock { $0[k] += 1 }
            Compute.forEachShard(3) { _ in nested.withLock { $0 += 1 } }
        }
        #expect(runs.withLock { $0 } == [Int](repeating: 1, count: 37))
        #expect(nested.withLock { $0 } == 37 * 3)
    }

    @Test func shardsRecordAsTheCallerDoes() {
        let recorded = Mutex([Bool](repeating: true, count: 8))
        Autodiff.withoutRecording {
            Compute.forEachShard(8) { k in recorded.withLock { $0[k] = Autodiff.isRecording } }
        }
        #expect(recorded.withLock { $0 } == [Bool](repeating: false, count: 8))
        Compute.forEachShard(8) { k in recorded.withLock { $0[k] = Autodiff.isRecording } }
        #expect(recorded.withLock { $0 } == [Bool](repeating: true, count: 8))
    }

    /// Matrix products in concurrent shards (single-threaded BLAS each) give the whole product's rows.
    @Test func matrixProductsInShardsMatchTheWholeProduct() {
        var generator = SplitMix64(seed: 11)
        let a = generator.uniform([300, 64])
        let b = generator.uniform([64, 48])
        let whole = Tensor.matmul(a, b)
        let ranges = Compute.shardRanges(count: 300, rows: 40)
        let parts = Mutex([Tensor?](repeating: nil, count: ranges.count))
        Compute.forEachShard(ranges.count) { k in
            let rows = a.slice(alongAxis: 0, ranges[k])
            let product = Tensor.matmul(rows, b)
            parts.withLock { $0[k] = product }
        }
        let joined = Tensor.concatenate(parts.withLock { $0 }.map { $0! }, alongAxis: 0)
        #expect(maxAbsoluteDifference(joined, whole) <= 1e-5)
    }

    @Test func piecesCoverEveryElementOnce() {
        let counts = [5, 0, 40_000, 16_384, 16_385]
        let pieces = Compute.pieces(counts: counts, maximum: 16_384)
        var seen = counts.map { [Int](repeating: 0, count: $0) }
        for (i, range) in pieces {
            #expect(range.count <= 16_384)
            for k in range { seen[i][k] += 1 }
        }
        #expect(seen.allSatisfy { $0.allSatisfy { $0 == 1 } })
    }

    @Test func noiseShardsDrawTheRowsOfTheWholeBatch() {
        var whole = PerSampleNoise(seed: 9, firstSample: 100)
        let reference = [whole.normal([10, 3]), whole.uniform([10, 2])]
        let start = PerSampleNoise(seed: 9, firstSample: 100)
        var drawn: [[Tensor]] = [[], []]
        var last = start
        for rows in [0..<4, 4..<10] {
            var shard = start.shard(rows)!
            drawn[0].append(shard.normal([rows.count, 3]))
            drawn[1].append(shard.uniform([rows.count, 2]))
            last = shard
        }
        #expect(Tensor.concatenate(drawn[0], alongAxis: 0) == reference[0])
        #expect(Tensor.concatenate(drawn[1], alongAxis: 0) == reference[1])
        var advanced = start
        advanced.advance(pastShard: last)
        #expect(advanced == whole)
    }

    @Test func fastSquareRootIsWithinTwoUlp() {
        var worst: Float = 0
        var x: Float = 1.2e-38
        while x < 3e38 {
            let exact = x.squareRoot()
            worst = max(worst, abs(FastMath.squareRoot(x) - exact) / exact.ulp)
            x *= 1.37
        }
        #expect(worst <= 2, "worst error \(worst) ulp")
        #expect(FastMath.squareRoot(0) == 0)
    }
}

func maxAbsoluteDifference(_ a: Tensor, _ b: Tensor) -> Float {
    zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
}

/// Products with m, n or k ≤ 4 take written-out loops instead of sgemm; every transpose case
/// against a Double reference.
@Suite struct NarrowMatrixProductTests {
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (300, 2, 256), (300, 256, 2), (2, 256, 300), (37, 32, 1), (32, 1, 37), (3, 3, 3), (1, 9, 17), (19, 4, 4),
        (5, 70, 3),
    ]

    @Test(arguments: [false, true], [false, true])
    func matchesTheDoubleReference(transposeA: Bool, transposeB: Bool) {
        var generator = SplitMix64(seed: 21)
        for (m, n, k) in Self.shapes {
            let a = generator.uniform(transposeA ? [k, m] : [m, k])
            let b = generator.uniform(transposeB ? [n, k] : [k, n])
            let product = Tensor.matmul(a, b, transposeA: transposeA, transposeB: transposeB)
            let (av, bv) = (a.scalars, b.scalars)
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    var exact = 0.0
                    for p in 0..<k {
                        let x = Double(transposeA ? av[p * m + i] : av[i * k + p])
                        let y = Double(transposeB ? bv[j * k + p] : bv[p * n + j])
                        exact += x * y
                    }
                    worst = max(worst, abs(Double(product.scalars[i * n + j]) - exact) / (1 + abs(exact)))
                }
            }
            #expect(product.shape == [m, n])
            #expect(worst <= 1e-5, "\(m)×\(n)×\(k): relative error \(worst)")
        }
    }

    @Test func linearWithANarrowOutputAddsTheBias() {
        var generator = SplitMix64(seed: 22)
        let x = generator.uniform([50, 8])
        let w = generator.uniform([2, 8])
        let bias = Tensor([0.5, -1.5])
        let y = Tensor.linear(x, weight: w, bias: bias)
        let reference = Tensor.matmul(x, w.transposed()) + bias
        #expect(maxAbsoluteDifference(y, reference) <= 1e-6)
    }
}

@Suite("Aligned shard cuts")
struct AlignedShardTests {
    @Test("shards cover 0..<count in order, all but the last a multiple of the alignment")
    func alignedCuts() {
        for (count, rows, alignment) in [(10_000, 512, 32), (1, 512, 32), (33, 16, 32), (1_000, 100, 7), (64, 512, 32)]
        {
            let ranges = Compute.shardRanges(count: count, rows: rows, alignedTo: alignment)
            #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == count)
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            #expect(ranges.dropLast().allSatisfy { $0.count % alignment == 0 && !$0.isEmpty })
        }
        let cut = Compute.shardRanges(count: 10_000, rows: 512, alignedTo: 32)
        #expect(cut.count == 20 && cut.filter { $0.count == 512 }.count == 13)
    }
}
