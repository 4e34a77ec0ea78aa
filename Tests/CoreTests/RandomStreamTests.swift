import Foundation  // log, cos, sin for the reference Box–Muller transform
import ScoreKitCore
import Testing

/// Pearson's χ² statistic of `observed` counts against `expected` probabilities.
private func chiSquare(_ observed: [Int], expected probabilities: [Double]) -> Double {
    let total = Double(observed.reduce(0, +))
    return zip(observed, probabilities).reduce(0) { sum, pair in
        let expected = total * pair.1
        return sum + (Double(pair.0) - expected) * (Double(pair.0) - expected) / expected
    }
}

/// Statistical checks use explicit seeds, so they are deterministic; their bounds are the χ²
/// quantiles at p = 0.001 or 5 standard errors, so a correct generator passes them for almost
/// every seed and a biased one (e.g. modulo bias) fails by orders of magnitude.
@Suite("RandomStream")
struct RandomStreamTests {
    /// The four buffer fills of `RandomStream`, each giving n values from ⌈n/4⌉ blocks.
    enum Fill: String, CaseIterable, Sendable {
        case uniform, openUniform, normal, rademacher

        func callAsFunction(_ stream: inout RandomStream, count: Int) -> [Float] {
            [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                switch self {
                case .uniform: stream.fillUniform(buffer)
                case .openUniform: stream.fillOpenUniform(buffer)
                case .normal: stream.fillNormal(buffer)
                case .rademacher: stream.fillRademacher(buffer)
                }
                initialized = count
            }
        }
    }

    // MARK: Layout and consumption

    @Test("maps (seed, stream, drawCounter) to Philox key and counter words as documented")
    func layout() {
        // Random123 known answers, reached through the documented word layout.
        var zeros = RandomStream(seed: 0, stream: 0)
        #expect(zeros.nextUInt32Block() == SIMD4(0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8))
        #expect(zeros.drawCounter == 1)
        var pi = RandomStream(
            seed: 0x299F_31D0_A409_3822, stream: 0x0370_7344_1319_8A2E, drawCounter: 0x85A3_08D3_243F_6A88)
        #expect(pi.nextUInt32Block() == SIMD4(0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1))
        #expect(pi.drawCounter == 0x85A3_08D3_243F_6A89)
        let ones = RandomStream(seed: .max, stream: .max)
        #expect(ones.block(at: .max) == SIMD4(0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD))
    }

    @Test("a fill of n values consumes ceil(n/4) blocks", arguments: Fill.allCases)
    func fillConsumption(_ fill: Fill) {
        for count in 0...40 {
            var stream = RandomStream(seed: 1, stream: 2, drawCounter: 5)
            _ = fill(&stream, count: count)
            #expect(stream.drawCounter == 5 + UInt64((count + 3) / 4), "count \(count)")
        }
    }

    @Test("fills are the documented functions of the block words")
    func fillFormulas() {
        let count = 4_000
        let start: UInt64 = (1 << 32) - 7  // crosses the carry into counter word 1
        var stream = RandomStream(seed: 0xDEAD_BEEF, stream: 9, drawCounter: start)
        let uniform = Fill.uniform(&stream, count: count)
        let open = Fill.openUniform(&stream, count: count)
        let rademacher = Fill.rademacher(&stream, count: count)
        let blockCount = UInt64(count / 4)
        for index in 0..<count {
            let block = UInt64(index / 4)
            let lane = index % 4
            let word = { (offset: UInt64) in stream.block(at: start + offset * blockCount + block)[lane] }
            #expect(uniform[index] == Float(word(0) >> 8) * 0x1p-24)
            #expect(open[index] == Float(2 * (word(1) >> 9) + 1) * 0x1p-24)
            #expect(rademacher[index] == (word(2) >= 1 << 31 ? -1 : 1))
        }
        var again = RandomStream(seed: 0xDEAD_BEEF, stream: 9, drawCounter: start)
        #expect(again.nextUniform() == uniform[0])
    }

    /// Box–Muller from the documented words, in Double with the C library's log, cos and sin,
    /// rounded to Float. The stream uses its own polynomials (for bit-exact reproducibility);
    /// both are accurate to a few Double ulps, so they agree to one Float ulp (or 10⁻⁹ near zero,
    /// where the stream's exact quadrant reduction gives cos(π/2) = 0 and libm ≈ 6 × 10⁻¹⁷).
    @Test("normals are Box–Muller of the documented words, to one Float ulp")
    func normalFormula() {
        let count = 100_000
        let start: UInt64 = (1 << 32) - 11
        var stream = RandomStream(seed: 12_345, stream: 678, drawCounter: start)
        let normals = Fill.normal(&stream, count: count)
        var exact = 0
        for pairIndex in 0..<(count / 2) {
            let words = stream.block(at: start + UInt64(pairIndex / 2))
            let (radiusWord, angleWord) = pairIndex % 2 == 0 ? (words[0], words[1]) : (words[2], words[3])
            let radius = (-2 * log((Double(radiusWord) + 0.5) * 0x1p-32)).squareRoot()
            let angle = 2 * Double.pi * Double(angleWord) * 0x1p-32
            for (offset, reference) in [Float(radius * cos(angle)), Float(radius * sin(angle))].enumerated() {
                let value = normals[2 * pairIndex + offset]
                #expect(abs(value - reference) <= max(reference.ulp, 1e-9), "value \(2 * pairIndex + offset)")
                if value == reference { exact += 1 }
            }
        }
        #expect(exact >= count - count / 1_000)  // rounding ties aside, bit-identical to libm's
    }

    /// The stream format is a compatibility contract (saved runs replay their noise), so its first
    /// normals are pinned bit for bit. These values were cross-checked against an independent
    /// implementation (Philox-4x32-10 from the paper plus Box–Muller with the C library's
    /// log/cos/sin, rounded to Float); they must be the same in debug and release builds and on
    /// every platform.
    @Test("the first normals of seed 0, stream 0 are pinned bit for bit")
    func pinnedNormals() {
        var stream = RandomStream(seed: 0, stream: 0)
        let bits = Fill.normal(&stream, count: 8).map(\.bitPattern)
        #expect(
            bits == [
                0x3F7D_BB33, 0xBF6C_B6B0, 0xBF1E_1B9F, 0xBEF6_D1B2, 0xBE1D_5357, 0x3E39_2A6D, 0x3F54_EC98, 0x3E4A_2DA3,
            ])
    }

    @Test(
        "chunking in multiples of 4 does not change values; other chunks restart at a block", arguments: Fill.allCases)
    func chunking(_ fill: Fill) {
        var whole = RandomStream(seed: 42, stream: 7)
        let reference = fill(&whole, count: 100)
        var chunked = RandomStream(seed: 42, stream: 7)
        let pieces = [4, 20, 16, 12, 48].flatMap { fill(&chunked, count: $0) }
        #expect(pieces == reference)
        #expect(chunked.drawCounter == whole.drawCounter)
        var ragged = RandomStream(seed: 42, stream: 7)
        let first = fill(&ragged, count: 5)  // blocks 0 and 1; words 1–3 of block 1 are dropped
        let second = fill(&ragged, count: 3)  // block 2
        #expect(first == Array(reference[0..<5]))
        #expect(second == Array(reference[8..<11]))
    }

    @Test("a restored draw counter resumes the stream exactly")
    func checkpointResume() {
        var original = RandomStream(seed: 2_024, stream: 31)
        _ = Fill.normal(&original, count: 37)
        _ = original.nextInt(below: 1_000)
        let saved = original.drawCounter
        let expected = Fill.normal(&original, count: 64)
        var restored = RandomStream(seed: 2_024, stream: 31, drawCounter: saved)
        #expect(Fill.normal(&restored, count: 64) == expected)
    }

    @Test("same seed and stream repeat; other streams and seeds differ")
    func determinism() {
        var a = RandomStream(seed: 5, stream: 0)
        var b = RandomStream(seed: 5, stream: 0)
        var otherStream = RandomStream(seed: 5, stream: 1)
        var otherSeed = RandomStream(seed: 6, stream: 0)
        let values = Fill.normal(&a, count: 64)
        #expect(Fill.normal(&b, count: 64) == values)
        #expect(Fill.normal(&otherStream, count: 64) != values)
        #expect(Fill.normal(&otherSeed, count: 64) != values)
        #expect(Set(Fill.uniform(&a, count: 4_096)).count > 4_000)  // no short cycles
    }

    @Test("per-sample noise does not depend on batch composition or threads")
    func batchAndThreadIndependence() async {
        let sampleCount = 16
        let sequential = (0..<sampleCount).map { index in
            var stream = RandomStream(seed: 99, stream: UInt64(index))
            return Fill.normal(&stream, count: 30)
        }
        let concurrent = await withTaskGroup(of: (Int, [Float]).self) { group in
            for index in (0..<sampleCount).reversed() {
                group.addTask {
                    var stream = RandomStream(seed: 99, stream: UInt64(index))
                    return (index, Fill.normal(&stream, count: 30))
                }
            }
            var results = [[Float]](repeating: [], count: sampleCount)
            for await (index, values) in group { results[index] = values }
            return results
        }
        #expect(concurrent == sequential)
    }

    // MARK: Distributions

    @Test("uniform values lie in [0, 1) and pass a 16-bin chi-square test")
    func uniformDistribution() {
        var stream = RandomStream(seed: 1_001, stream: 0)
        let values = Fill.uniform(&stream, count: 1_000_000)
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
        var bins = [Int](repeating: 0, count: 16)
        for value in values { bins[Int(value * 16)] += 1 }
        #expect(chiSquare(bins, expected: Array(repeating: 1.0 / 16, count: 16)) < 37.70)  // χ²₁₅, p = 0.001
        let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
        #expect(abs(mean - 0.5) < 5 * (1.0 / 12 / Double(values.count)).squareRoot())
    }

    @Test("open uniform values lie in (0, 1) and pass a 16-bin chi-square test")
    func openUniformDistribution() {
        var stream = RandomStream(seed: 1_002, stream: 0)
        let values = Fill.openUniform(&stream, count: 1_000_000)
        #expect(values.allSatisfy { $0 > 0 && $0 < 1 })
        var bins = [Int](repeating: 0, count: 16)
        for value in values { bins[Int(value * 16)] += 1 }
        #expect(chiSquare(bins, expected: Array(repeating: 1.0 / 16, count: 16)) < 37.70)
    }

    /// Moments of 10⁶ normals within 5 standard errors: mean (se 1/√n), variance (√(2/n)),
    /// third moment (√(15/n)), fourth moment 3 (√(96/n)); tail masses P(|z| > t) for t = 1, 2, 3.
    @Test("normal values have standard normal moments and tails")
    func normalDistribution() {
        let count = 1_000_000
        var stream = RandomStream(seed: 1_003, stream: 0)
        let values = Fill.normal(&stream, count: count).map(Double.init)
        var (sum1, sum2, sum3, sum4) = (0.0, 0.0, 0.0, 0.0)
        for z in values {
            let square = z * z
            (sum1, sum2, sum3, sum4) = (sum1 + z, sum2 + square, sum3 + square * z, sum4 + square * square)
        }
        let n = Double(count)
        #expect(abs(sum1 / n) < 5 / n.squareRoot())
        #expect(abs(sum2 / n - 1) < 5 * (2 / n).squareRoot())
        #expect(abs(sum3 / n) < 5 * (15 / n).squareRoot())
        #expect(abs(sum4 / n - 3) < 5 * (96 / n).squareRoot())
        for (threshold, mass) in [(1.0, 0.317_310_507_9), (2.0, 0.045_500_263_9), (3.0, 0.002_699_796_1)] {
            let observed = Double(values.count { abs($0) > threshold }) / n
            #expect(abs(observed - mass) < 5 * (mass * (1 - mass) / n).squareRoot(), "tail beyond \(threshold)")
        }
        #expect(values.allSatisfy { abs($0) <= 6.764 })  // √(66 ln 2), the documented bound
        let lagOne = zip(values, values.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 } / n
        #expect(abs(lagOne) < 5 / n.squareRoot())
    }

    @Test("Rademacher values are ±1 with equal frequency")
    func rademacherDistribution() {
        let count = 1_000_000
        var stream = RandomStream(seed: 1_004, stream: 0)
        let values = Fill.rademacher(&stream, count: count)
        #expect(values.allSatisfy { $0 == 1 || $0 == -1 })
        let plus = values.count { $0 == 1 }
        #expect(abs(Double(plus) - Double(count) / 2) < 5 * Double(count).squareRoot() / 2)
        let lagOne = zip(values, values.dropFirst()).reduce(0) { $0 + Double($1.0 * $1.1) }
        #expect(abs(lagOne) < 5 * Double(count).squareRoot())
    }

    /// Lemire's method is exactly unbiased; a modulo reduction would give the three thirds of
    /// 0..<n probabilities ½, ¼, ¼ for n = 3·2³⁰ (32-bit path) and ⅜, ⅜, ¼ for n = 3·2⁶¹ (64-bit).
    @Test("nextInt(below:) is unbiased", arguments: [10, 3 << 30, 3 << 61])
    func nextIntUniformity(_ bound: Int) {
        var stream = RandomStream(seed: 1_005, stream: UInt64(bound.trailingZeroBitCount))
        let binCount = bound == 10 ? 10 : 3
        var bins = [Int](repeating: 0, count: binCount)
        for _ in 0..<60_000 {
            let value = stream.nextInt(below: bound)
            #expect(value >= 0 && value < bound)
            bins[binCount == 10 ? value : value / (bound / 3)] += 1
        }
        let critical = binCount == 10 ? 27.88 : 13.82  // χ²₉ and χ²₂ at p = 0.001
        #expect(chiSquare(bins, expected: Array(repeating: 1 / Double(binCount), count: binCount)) < critical)
    }

    @Test("nextInt(below:) consumes one block per call unless it rejects")
    func nextIntConsumption() {
        var stream = RandomStream(seed: 1_006, stream: 0)
        for _ in 0..<1_000 { #expect(stream.nextInt(below: 1) == 0) }
        #expect(stream.drawCounter == 1_000)
        for _ in 0..<1_000 { _ = stream.nextInt(below: 10) }  // rejection probability 6/2³² each
        #expect(stream.drawCounter == 2_000)
        #expect(stream.nextInt(below: .max) < .max)
    }

    @Test("nextCategorical draws in proportion to the weights and never a zero weight")
    func categoricalDistribution() {
        let weights = [0.1, 0, 0.6, 0.3]
        var stream = RandomStream(seed: 1_007, stream: 0)
        var bins = [Int](repeating: 0, count: weights.count)
        for _ in 0..<100_000 { bins[stream.nextCategorical(weights: weights)] += 1 }
        #expect(stream.drawCounter == 100_000)
        #expect(bins[1] == 0)
        #expect(chiSquare([bins[0], bins[2], bins[3]], expected: [0.1, 0.6, 0.3]) < 13.82)  // χ²₂
        var single = RandomStream(seed: 1_007, stream: 1)
        #expect(single.nextCategorical(weights: [2.5]) == 0)
        let many = [Double](repeating: 1, count: 100)
        var uniform = [Int](repeating: 0, count: 100)
        for _ in 0..<20_000 { uniform[stream.nextCategorical(weights: many)] += 1 }
        #expect(chiSquare(uniform, expected: Array(repeating: 0.01, count: 100)) < 148.23)  // χ²₉₉
    }

    @Test("categorical draws from weights and from their running sums agree")
    func categoricalCumulativeAgreement() {
        let weights = [0.5, 0, 0, 2, 1e-3, 7, 0, 0.25]
        var cumulative = [Double]()
        var sum = 0.0
        for weight in weights {
            sum += weight
            cumulative.append(sum)
        }
        var a = RandomStream(seed: 1_008, stream: 3)
        var b = RandomStream(seed: 1_008, stream: 3)
        for _ in 0..<10_000 {
            #expect(a.nextCategorical(weights: weights) == b.nextCategorical(cumulativeWeights: cumulative))
        }
    }

    @Test("permutation(count:) returns a permutation", arguments: [0, 1, 2, 10, 1_000])
    func permutationIsPermutation(_ count: Int) {
        var stream = RandomStream(seed: 1_009, stream: UInt64(count))
        #expect(stream.permutation(count: count).sorted() == Array(0..<count))
        #expect(stream.drawCounter == UInt64((max(count - 1, 0) + 3) / 4))  // no rejection here
    }

    @Test("permutation(count:) is uniform over arrangements and positions")
    func permutationUniformity() {
        var stream = RandomStream(seed: 1_010, stream: 0)
        var arrangements = [[Int]: Int]()
        for _ in 0..<60_000 { arrangements[stream.permutation(count: 3), default: 0] += 1 }
        #expect(arrangements.count == 6)
        #expect(chiSquare(Array(arrangements.values), expected: Array(repeating: 1.0 / 6, count: 6)) < 20.52)
        var positions = [Int](repeating: 0, count: 5)
        for _ in 0..<50_000 {
            let permutation = stream.permutation(count: 5)
            positions[permutation.firstIndex(of: 0) ?? 0] += 1
        }
        #expect(chiSquare(positions, expected: Array(repeating: 0.2, count: 5)) < 18.47)  // χ²₄
    }

    // MARK: Preconditions

    @Test("invalid arguments stop with a precondition failure")
    func preconditions() async {
        await #expect(processExitsWith: .failure) {
            var stream = RandomStream(seed: 1, stream: 0)
            _ = stream.nextInt(below: 0)
        }
        await #expect(processExitsWith: .failure) {
            var stream = RandomStream(seed: 1, stream: 0)
            _ = stream.nextCategorical(weights: [0, 0])
        }
        await #expect(processExitsWith: .failure) {
            var stream = RandomStream(seed: 1, stream: 0)
            _ = stream.nextCategorical(weights: [1, -0.5])
        }
        await #expect(processExitsWith: .failure) {
            var stream = RandomStream(seed: 1, stream: 0, drawCounter: .max)
            _ = stream.nextUInt32Block()
        }
    }
}

@Suite("SeedSequence")
struct SeedSequenceTests {
    @Test("a child seed is the documented Philox block of the parent")
    func derivation() {
        let parent = SeedSequence(seed: 0x0123_4567_89AB_CDEF)
        for label: UInt64 in [0, 1, 41, 1 << 40, .max] {
            let words = Philox4x32(key: SIMD2(0x89AB_CDEF, 0x0123_4567))
                .block(SIMD4(UInt32(truncatingIfNeeded: label), UInt32(label >> 32), .max, .max))
            #expect(parent.child(label).seed == UInt64(words[0]) | UInt64(words[1]) << 32)
        }
    }

    /// FNV-1a 64 known answers: the empty string hashes to the offset basis, "a" to 0xAF63DC4C8601EC8C.
    @Test("text labels go through FNV-1a 64")
    func textLabels() {
        let parent = SeedSequence(seed: 7)
        #expect(parent.child("") == parent.child(0xCBF2_9CE4_8422_2325))
        #expect(parent.child("a") == parent.child(0xAF63_DC4C_8601_EC8C))
        let purposes = ["noise", "time", "data", "dropout"].map { parent.child($0).seed }
        #expect(Set(purposes + [parent.seed]).count == purposes.count + 1)
    }

    /// Cross-checked against an independent implementation (FNV-1a and Philox from their papers).
    @Test("a text-labelled child seed is pinned")
    func pinnedChild() {
        #expect(SeedSequence(seed: 7).child("noise").seed == 0x87FF_810D_C641_E232)
    }

    @Test("children of distinct labels are distinct and reproducible")
    func distinctChildren() {
        let parent = SeedSequence(seed: 11)
        let seeds = (0..<10_000 as Range<UInt64>).map { parent.child($0).seed }
        #expect(Set(seeds).count == seeds.count)
        #expect(SeedSequence(seed: 11).child(5) == parent.child(5))
        #expect(parent.child(1).child(2) != parent.child(2).child(1))
    }

    @Test("stream(_:) is the RandomStream of the node's seed")
    func streams() {
        let node = SeedSequence(seed: 3).child("noise")
        #expect(node.stream(17) == RandomStream(seed: node.seed, stream: 17))
    }
}
