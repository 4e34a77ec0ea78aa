/// One reproducible stream of random numbers: the Philox-4x32-10 blocks of a `(seed, stream)` pair
/// at consecutive draw counters.
///
/// ```
/// key     = (seed mod 2³², ⌊seed / 2³²⌋)
/// block j = Philox4x32(key).block((j mod 2³², ⌊j / 2³²⌋, stream mod 2³², ⌊stream / 2³²⌋))
/// ```
/// `drawCounter` is the `j` of the next unused block. Every value a stream returns is a function
/// of `(seed, stream, drawCounter)` alone, so giving each sample its own `stream` (its global
/// index) makes its noise independent of batch size, batch order and thread count, as EDM's
/// per-sample generators do. Save `drawCounter` in a checkpoint and pass it to
/// `init(seed:stream:drawCounter:)` to resume exactly.
///
/// Consumption, in whole 128-bit blocks (a block's unused words are discarded):
///
/// | call | blocks consumed | value i comes from |
/// |---|---|---|
/// | `nextUInt32Block()`, `nextUniform()`, `nextCategorical` | 1 | all words; word 0; words 0–1 |
/// | `fillUniform`, `fillOpenUniform`, `fillRademacher`, `fillNormal` of n values | ⌈n/4⌉ | block ⌊i/4⌋, word i mod 4 |
/// | `nextInt(below: n)`, `permutation(count:)` | ⌈W/4⌉ | W candidate words, used in order |
///
/// Hence a fill of n values then a fill of m values of the same kind equals one fill of n + m
/// values exactly when n is a multiple of 4; otherwise the second fill starts at a fresh block.
/// `nextInt(below: n)` draws one word per candidate for n ≤ 2³² and two (low word first) above;
/// it rejects a candidate with probability (2³² mod n)/2³² (resp. 2⁶⁴), so W is almost always 1.
///
/// Reproducible bit for bit on every platform, build mode and thread count: all arithmetic is
/// integer or IEEE 754 binary64/binary32 round-to-nearest, in a fixed order (Swift never fuses
/// a multiply and an add), and the normals' logarithm and sine are polynomials written here, not
/// the C library's. The block layout is part of this contract; the tests pin it. A stream holds
/// 2⁶⁴ − 1 consumable blocks; passing that is a precondition failure.
///
/// Not a `RandomNumberGenerator`: the standard library's `random(in:using:)` algorithms are not
/// promised to stay the same across Swift releases, so draws go through the methods here.
public struct RandomStream: Sendable, Hashable {
    /// The 64-bit seed; its low and high 32-bit words are the Philox key.
    public let seed: UInt64
    /// The stream index, e.g. a sample's global index; counter words 2 and 3.
    public let stream: UInt64
    /// The number of 128-bit blocks consumed so far; counter words 0 and 1 of the next block.
    public var drawCounter: UInt64

    /// The stream `stream` of `seed`, positioned at block `drawCounter`.
    public init(seed: UInt64, stream: UInt64, drawCounter: UInt64 = 0) {
        self.seed = seed
        self.stream = stream
        self.drawCounter = drawCounter
    }

    /// The Philox-4x32-10 generator keyed by `seed`.
    public var generator: Philox4x32 {
        Philox4x32(key: SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed &>> 32)))
    }

    /// The block at `drawCounter`, without consuming anything (random access into the stream).
    public func block(at drawCounter: UInt64) -> SIMD4<UInt32> {
        generator.block(
            SIMD4(
                UInt32(truncatingIfNeeded: drawCounter), UInt32(truncatingIfNeeded: drawCounter &>> 32),
                UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream &>> 32)))
    }

    /// The next block of four independent uniform 32-bit words; consumes one block.
    public mutating func nextUInt32Block() -> SIMD4<UInt32> {
        block(at: reserve(1))
    }

    /// One uniform value in [0, 1), equal to the first value of `fillUniform`; consumes one block.
    public mutating func nextUniform() -> Float {
        Float(block(at: reserve(1))[0] &>> 8) * 0x1p-24
    }

    /// Fills `buffer` with uniform values in [0, 1) on the grid of 2²⁴ multiples of 2⁻²⁴.
    ///
    /// ```
    /// u = ⌊w / 2⁸⌋ · 2⁻²⁴      (w a 32-bit word; exact in Float, mean ½ − 2⁻²⁵)
    /// ```
    /// Consumes ⌈n/4⌉ blocks for n values. Includes 0, never 1; see `fillOpenUniform` for logs.
    public mutating func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>) {
        fill(buffer, Self.uniforms)
    }

    /// The four uniforms of one block (`fillUniform`).
    @inline(__always)
    static func uniforms(_ words: SIMD4<UInt32>) -> SIMD4<Float> {
        Self.eachWord(words) { Float($0 &>> 8) * 0x1p-24 }
    }

    /// Fills `buffer` with uniform values in the open interval (0, 1): the 2²³ midpoints of a
    /// grid of step 2⁻²³, so `log(u)` and `log(1 − u)` are always finite.
    ///
    /// ```
    /// u = (2⌊w / 2⁹⌋ + 1) · 2⁻²⁴      (exact in Float, symmetric about ½, mean exactly ½)
    /// ```
    /// Consumes ⌈n/4⌉ blocks for n values. `fillNormal` does not use this: it builds its
    /// uniforms in Double from all 32 bits.
    public mutating func fillOpenUniform(_ buffer: UnsafeMutableBufferPointer<Float>) {
        fill(buffer) { Self.eachWord($0) { Float(($0 &>> 8) | 1) * 0x1p-24 } }
    }

    /// Fills `buffer` with Rademacher values: +1 or −1, each with probability ½.
    ///
    /// The value is −1 exactly when bit 31 of its word is set. Used for Hutchinson trace
    /// estimators (Hutchinson 1989; Grathwohl et al. 2019, FFJORD). Consumes ⌈n/4⌉ blocks.
    public mutating func fillRademacher(_ buffer: UnsafeMutableBufferPointer<Float>) {
        // 0x3F80_0000 is 1.0; the word's top bit becomes the sign bit.
        fill(buffer, Self.signs)
    }

    /// The four Rademacher values of one block (`fillRademacher`).
    @inline(__always)
    static func signs(_ words: SIMD4<UInt32>) -> SIMD4<Float> {
        Self.eachWord(words) { Float(bitPattern: ($0 & 0x8000_0000) | 0x3F80_0000) }
    }

    /// Fills `buffer` with standard normal values (the noise ε) by the Box–Muller transform.
    ///
    /// ```
    /// z₀ = √(−2 ln u₁) cos(2π u₂),   z₁ = √(−2 ln u₁) sin(2π u₂)
    /// u₁ = (w₀ + ½) · 2⁻³² ∈ (0, 1),   u₂ = w₁ · 2⁻³² ∈ [0, 1)
    /// ```
    /// Words (w₀, w₁) of a block give values 4k and 4k + 1, words (w₂, w₃) values 4k + 2 and
    /// 4k + 3; consumes ⌈n/4⌉ blocks. Computed in Double (logarithm and sine accurate to a few
    /// units in the last place), rounded once to Float. Since u₁ ≥ 2⁻³³, |z| ≤ √(66 ln 2) ≈ 6.76:
    /// the tail beyond, of probability 1.3 × 10⁻¹¹, is never drawn.
    ///
    /// Source: G. E. P. Box and M. E. Muller, "A note on the generation of random normal
    /// deviates", Ann. Math. Statist. 29 (1958). Not the Marsaglia polar method (which rejects)
    /// nor an inverse-CDF transform, so values differ from `torch.randn` for the same Philox words.
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>) {
        fill(buffer, Self.normals)
    }

    /// The four normals of one block (`fillNormal`).
    @inline(__always)
    static func normals(_ words: SIMD4<UInt32>) -> SIMD4<Float> {
        let radius0 = Self.boxMullerRadius(words[0])
        let (cos0, sin0) = Self.cosSinTwoPi(words[1])
        let radius1 = Self.boxMullerRadius(words[2])
        let (cos1, sin1) = Self.cosSinTwoPi(words[3])
        return SIMD4(Float(radius0 * cos0), Float(radius0 * sin0), Float(radius1 * cos1), Float(radius1 * sin1))
    }

    /// A uniform integer in `0..<n`, exactly unbiased, by Lemire's multiply-and-reject method.
    ///
    /// ```
    /// m = x · n  (full width);  reject while (m mod 2ᵇ) < (2ᵇ − n) mod n;  return ⌊m / 2ᵇ⌋
    /// ```
    /// with b = 32 (one word per candidate x) for n ≤ 2³², b = 64 (two words) above. Consumes
    /// ⌈W/4⌉ blocks for W candidate words: one block unless a call rejects 4 (n ≤ 2³²) or 2
    /// (n > 2³²) candidates.
    /// Source: D. Lemire, "Fast random integer generation in an interval", ACM TOMACS 29 (2019).
    /// - Precondition: `n > 0`.
    public mutating func nextInt(below n: Int) -> Int {
        precondition(n > 0, "RandomStream.nextInt(below:) needs a positive bound, got \(n)")
        var words = WordReader(self)
        let value = words.nextIndex(below: UInt64(n))
        drawCounter = words.drawCounter
        return Int(value)
    }

    /// A category index i drawn with probability `weights[i] / Σ weights`; consumes one block.
    ///
    /// ```
    /// t = u · Σ wⱼ,  u = ⌊x / 2¹¹⌋ · 2⁻⁵³,  x = w₀ + 2³² w₁;   i = min { i : w₀ + … + wᵢ > t }
    /// ```
    /// The sum runs left to right, so this equals `nextCategorical(cumulativeWeights:)` of the
    /// running sums computed the same way. Zero weights are never drawn. O(n) per draw.
    /// - Precondition: weights finite and ≥ 0 with a positive, finite sum (validate user input
    ///   before calling).
    public mutating func nextCategorical(weights: [Double]) -> Int {
        var total = 0.0
        for weight in weights {
            precondition(weight >= 0 && weight.isFinite, "categorical weights must be finite and ≥ 0, got \(weight)")
            total += weight
        }
        precondition(total > 0 && total.isFinite, "categorical weights must have a positive finite sum, got \(total)")
        let target = nextScaledUniform(total)
        var cumulative = 0.0
        for (index, weight) in weights.enumerated() {
            cumulative += weight
            if cumulative > target { return index }
        }
        preconditionFailure("unreachable: the running sum ends at \(total) > target \(target)")
    }

    /// A category index drawn from running sums `cumulativeWeights[i] = w₀ + … + wᵢ`, by binary
    /// search; consumes one block and gives the same index as `nextCategorical(weights:)`.
    ///
    /// Precompute the sums once when drawing many times from one distribution: O(log n) per draw.
    /// - Precondition: non-empty, last element positive and finite (checked); entries
    ///   non-decreasing and ≥ 0 (not checked, which would cost O(n); violating it gives an
    ///   unspecified index in range).
    public mutating func nextCategorical(cumulativeWeights: [Double]) -> Int {
        let total = cumulativeWeights.last ?? 0
        precondition(total > 0 && total.isFinite, "cumulative weights must end at a positive finite sum, got \(total)")
        let target = nextScaledUniform(total)
        var low = 0
        var high = cumulativeWeights.count - 1  // invariant: the answer is in low...high
        while low < high {
            let middle = low + (high - low) / 2
            if cumulativeWeights[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// A uniformly random permutation of `0..<count`, by the Fisher–Yates shuffle.
    ///
    /// For i = count − 1 down to 1, swaps element i with element `nextInt(below: i + 1)`, the
    /// candidates taken as consecutive words (one call consumes ⌈W/4⌉ blocks, W ≥ count − 1).
    /// Source: R. Durstenfeld, "Algorithm 235: Random permutation", CACM 7 (1964).
    /// - Precondition: `count ≥ 0`.
    public mutating func permutation(count: Int) -> [Int] {
        precondition(count >= 0, "RandomStream.permutation(count:) needs count ≥ 0, got \(count)")
        var result = Array(0..<count)
        var words = WordReader(self)
        var index = count - 1
        while index > 0 {
            result.swapAt(index, Int(words.nextIndex(below: UInt64(index + 1))))
            index -= 1
        }
        drawCounter = words.drawCounter
        return result
    }
}

extension RandomStream {
    /// Advances `drawCounter` by `blockCount` and returns its old value.
    fileprivate mutating func reserve(_ blockCount: UInt64) -> UInt64 {
        precondition(
            blockCount <= UInt64.max - drawCounter,
            "RandomStream \(stream) of seed \(seed) would exceed 2⁶⁴ blocks; use another stream or seed")
        defer { drawCounter += blockCount }
        return drawCounter
    }

    /// Rows of `width` ≤ 4 values from one block each: row r is what
    /// `RandomStream(seed:stream: firstStream + r, drawCounter:)` would write with `values`
    /// (block `drawCounter` of its own stream), made four rows per Philox call instead of one.
    /// Per-sample noise of narrow data (2-D points draw one block per sample and step) spends
    /// most of its time here.
    @inline(__always)
    static func fillRows(
        _ buffer: UnsafeMutableBufferPointer<Float>, width: Int, seed: UInt64, firstStream: UInt64,
        drawCounter: UInt64, _ values: (SIMD4<UInt32>) -> SIMD4<Float>
    ) {
        precondition((1...4).contains(width) && buffer.count % width == 0, "rows of 1–4 values, got \(width)")
        guard let base = buffer.baseAddress else { return }
        let rows = buffer.count / width
        let generator = RandomStream(seed: seed, stream: 0).generator
        let (counterLow, counterHigh) = (
            UInt32(truncatingIfNeeded: drawCounter), UInt32(truncatingIfNeeded: drawCounter &>> 32)
        )
        func counter(_ row: Int) -> SIMD4<UInt32> {
            let stream = firstStream &+ UInt64(row)
            return SIMD4(
                counterLow, counterHigh, UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream &>> 32))
        }
        var row = 0
        while row < rows {
            let words = generator.blocks((counter(row), counter(row + 1), counter(row + 2), counter(row + 3)))
            let group = (values(words.0), values(words.1), values(words.2), values(words.3))
            for j in 0..<Swift.min(4, rows - row) {
                let block = Self.pick(j, of: group)
                for i in 0..<width { base[(row + j) * width + i] = block[i] }
            }
            row += 4
        }
    }

    /// Writes n values from ⌈n/4⌉ consecutive blocks: `values(block j)` fills values 4j..<4j+4.
    ///
    /// Blocks are made four at a time (`Philox4x32.blocks`), also for a final partial group,
    /// whose surplus blocks are computed and dropped, never consumed.
    @inline(__always)
    mutating func fill(
        _ buffer: UnsafeMutableBufferPointer<Float>, _ values: (SIMD4<UInt32>) -> SIMD4<Float>
    ) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let first = reserve(UInt64((buffer.count + 3) / 4))
        let generator = self.generator
        let (streamLow, streamHigh) = (UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream &>> 32))
        func counter(_ offset: Int) -> SIMD4<UInt32> {
            let index = first &+ UInt64(offset)
            return SIMD4(
                UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: index &>> 32), streamLow, streamHigh)
        }
        var start = 0
        while start < buffer.count {
            let block = start / 4
            let words = generator.blocks((counter(block), counter(block + 1), counter(block + 2), counter(block + 3)))
            let group = (values(words.0), values(words.1), values(words.2), values(words.3))
            if buffer.count - start >= 16 {
                let raw = UnsafeMutableRawPointer(base + start)
                raw.storeBytes(of: group.0, as: SIMD4<Float>.self)
                raw.storeBytes(of: group.1, toByteOffset: 16, as: SIMD4<Float>.self)
                raw.storeBytes(of: group.2, toByteOffset: 32, as: SIMD4<Float>.self)
                raw.storeBytes(of: group.3, toByteOffset: 48, as: SIMD4<Float>.self)
            } else {
                for offset in 0..<(buffer.count - start) {
                    base[start + offset] = Self.pick(offset / 4, of: group)[offset % 4]
                }
            }
            start += 16
        }
    }

    /// Block `j` (0–3) of a group of four.
    @inline(__always)
    private static func pick(
        _ j: Int, of group: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)
    ) -> SIMD4<Float> {
        switch j {
        case 0: group.0
        case 1: group.1
        case 2: group.2
        default: group.3
        }
    }

    /// `transform` applied to each word of a block.
    @inline(__always)
    fileprivate static func eachWord(_ words: SIMD4<UInt32>, _ transform: (UInt32) -> Float) -> SIMD4<Float> {
        SIMD4(transform(words[0]), transform(words[1]), transform(words[2]), transform(words[3]))
    }

    /// u · total for u uniform on the 2⁵³-point grid of [0, 1) from words 0 and 1; one block.
    fileprivate mutating func nextScaledUniform(_ total: Double) -> Double {
        let words = nextUInt32Block()
        let x = UInt64(words[0]) | UInt64(words[1]) &<< 32
        // u ≤ 1 − 2⁻⁵³ keeps u · total < total for normal totals; nextDown guards subnormal ones.
        return min(Double(x &>> 11) * 0x1p-53 * total, total.nextDown)
    }

    /// √(−2 ln u) for u = (w + ½)·2⁻³², the Box–Muller radius.
    ///
    /// ln v = e ln 2 + 2 atanh((m − 1)/(m + 1)) for v = m·2ᵉ, m ∈ [√½, √2), as in fdlibm's `log`
    /// (without its minimax tuning); the atanh series in s² ≤ 0.0295 is summed to s¹⁹, relative
    /// truncation error below 10⁻¹⁶. Branch-free; integer-to-Double conversions use the exact
    /// 2⁵² trick.
    @inline(__always)
    fileprivate static func boxMullerRadius(_ word: UInt32) -> Double {
        let twoPow52Bits: UInt64 = 0x4330_0000_0000_0000  // 2⁵²; OR-ing in k < 2⁵² gives 2⁵² + k
        let sqrtHalfBits: UInt64 = 0x3FE6_A09E_667F_3BCD  // √½
        let v = Double(bitPattern: twoPow52Bits | UInt64(word)) - (0x1p52 - 0.5)  // w + ½, exact
        // Shift the exponent boundary from 1 to √½ so that m lands in [√½, √2).
        let bits = v.bitPattern &+ (0x3FF0_0000_0000_0000 &- sqrtHalfBits)
        let exponentMinus32 = Double(bitPattern: twoPow52Bits | bits &>> 52) - (0x1p52 + 1023 + 32)
        let m = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) &+ sqrtHalfBits)
        let s = (m - 1) / (m + 1)
        let z = s * s
        let z2 = z * z
        let z4 = z2 * z2
        // 2 atanh s = 2s + s z P(z), P(z) = Σₖ₌₁⁹ 2/(2k+1) zᵏ⁻¹, by Estrin's scheme (short chains).
        let p01 = 2.0 / 3 + 2.0 / 5 * z
        let p23 = 2.0 / 7 + 2.0 / 9 * z
        let p45 = 2.0 / 11 + 2.0 / 13 * z
        let p67 = 2.0 / 15 + 2.0 / 17 * z
        let series = p01 + z2 * p23 + z4 * (p45 + z2 * p67 + z4 * (2.0 / 19))
        let logU = exponentMinus32 * 0x1.62E4_2FEF_A39E_Fp-1 + (2 * s + s * z * series)
        // −2 ln u > 0 already; `magnitude` (the identity here) lets the optimizer drop the C
        // library's negative-argument path and use a plain square-root instruction.
        return (-2 * logU).magnitude.squareRoot()
    }

    /// (cos 2πu, sin 2πu) for u = w·2⁻³²: exact quadrant reduction on the integer word, then
    /// Taylor polynomials on [−π/4, π/4] (cosine to φ¹⁶, sine to φ¹⁵; truncation error below
    /// 10⁻¹⁶) by Estrin's scheme. Branch-free.
    @inline(__always)
    fileprivate static func cosSinTwoPi(_ word: UInt32) -> (Double, Double) {
        // w = 2³⁰ q + r (mod 2³²) with r ∈ [−2²⁹, 2²⁹), so 2πu = q π/2 + φ, φ = r π 2⁻³¹.
        let shifted = word &+ 0x2000_0000
        let quadrant = UInt64(shifted &>> 30)
        let r = Double(bitPattern: 0x4330_0000_0000_0000 | UInt64(shifted & 0x3FFF_FFFF)) - (0x1p52 + 0x1p29)
        let phi = r * (Double.pi * 0x1p-31)
        let z = phi * phi
        let z2 = z * z
        let z4 = z2 * z2
        // sin φ = φ + φ z S(z), cos φ = 1 + z C(z), coefficients ±1/k! (constant-folded).
        let s01 = -1.0 / 6 + 1.0 / 120 * z
        let s23 = -1.0 / 5_040 + 1.0 / 362_880 * z
        let s45 = -1.0 / 39_916_800 + 1.0 / 6_227_020_800 * z
        let sine = phi + phi * z * (s01 + z2 * s23 + z4 * (s45 + z2 * (-1.0 / 1_307_674_368_000)))
        let c01 = -1.0 / 2 + 1.0 / 24 * z
        let c23 = -1.0 / 720 + 1.0 / 40_320 * z
        let c45 = -1.0 / 3_628_800 + 1.0 / 479_001_600 * z
        let c67 = -1.0 / 87_178_291_200 + 1.0 / 20_922_789_888_000 * z
        let cosine = 1 + z * (c01 + z2 * c23 + z4 * (c45 + z2 * c67))
        // Rotate by q quarter turns: q = 1 ↦ (−sin, cos), 2 ↦ (−cos, −sin), 3 ↦ (sin, −cos),
        // with bit masks (a random quadrant would make branches mispredict half the time).
        let swap = 0 &- (quadrant & 1)
        let (cosineBits, sineBits) = (cosine.bitPattern, sine.bitPattern)
        let xBits = (cosineBits & ~swap) | (sineBits & swap)
        let yBits = (sineBits & ~swap) | (cosineBits & swap)
        return (
            Double(bitPattern: xBits ^ ((quadrant &+ 1) & 2) &<< 62),
            Double(bitPattern: yBits ^ (quadrant & 2) &<< 62)
        )
    }
}

/// Hands out a stream's words in order, fetching blocks on demand; unused words are discarded.
private struct WordReader {
    let source: RandomStream
    var drawCounter: UInt64
    var words = SIMD4<UInt32>.zero
    var nextLane = 4

    init(_ source: RandomStream) {
        self.source = source
        self.drawCounter = source.drawCounter
    }

    mutating func next() -> UInt32 {
        if nextLane == 4 {
            precondition(drawCounter < UInt64.max, "RandomStream \(source.stream) would exceed 2⁶⁴ blocks")
            words = source.block(at: drawCounter)
            drawCounter += 1
            nextLane = 0
        }
        defer { nextLane += 1 }
        return words[nextLane]
    }

    /// Lemire's method: 32-bit candidates for n ≤ 2³², 64-bit (low word first) above.
    mutating func nextIndex(below n: UInt64) -> UInt64 {
        if n <= 1 &<< 32 {
            var product = UInt64(next()) &* n
            if product & 0xFFFF_FFFF < n {
                let threshold = ((1 &<< 32) &- n) % n
                while product & 0xFFFF_FFFF < threshold { product = UInt64(next()) &* n }
            }
            return product &>> 32
        }
        var product = (UInt64(next()) | UInt64(next()) &<< 32).multipliedFullWidth(by: n)
        if product.low < n {
            let threshold = (0 &- n) % n
            while product.low < threshold {
                product = (UInt64(next()) | UInt64(next()) &<< 32).multipliedFullWidth(by: n)
            }
        }
        return product.high
    }
}
