import ScoreKitCore
import Testing

/// Known answers and structural laws of `Philox4x32`.
@Suite("Philox4x32")
struct PhiloxTests {
    /// One line of Random123's `kat_vectors` file: `philox4x32 10 <counter ×4> <key ×2> <output ×4>`.
    struct KnownAnswer: Sendable, CustomTestStringConvertible {
        let counter: SIMD4<UInt32>
        let key: SIMD2<UInt32>
        let output: SIMD4<UInt32>
        var testDescription: String { "counter \(counter), key \(key)" }
    }

    /// The three `philox4x32 10` lines of Random123's `kat_vectors` (zeros, all ones, digits of π).
    static let knownAnswers = [
        KnownAnswer(
            counter: SIMD4(0x0000_0000, 0x0000_0000, 0x0000_0000, 0x0000_0000),
            key: SIMD2(0x0000_0000, 0x0000_0000),
            output: SIMD4(0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8)),
        KnownAnswer(
            counter: SIMD4(0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF),
            key: SIMD2(0xFFFF_FFFF, 0xFFFF_FFFF),
            output: SIMD4(0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD)),
        KnownAnswer(
            counter: SIMD4(0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344),
            key: SIMD2(0xA409_3822, 0x299F_31D0),
            output: SIMD4(0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1)),
    ]

    @Test("matches Random123's philox4x32-10 known answers", arguments: knownAnswers)
    func knownAnswer(_ vector: KnownAnswer) {
        #expect(Philox4x32(key: vector.key).block(vector.counter) == vector.output)
    }

    @Test("is a pure function of key and counter")
    func deterministic() {
        let generator = Philox4x32(key: SIMD2(7, 11))
        let counter = SIMD4<UInt32>(1, 2, 3, 4)
        #expect(generator.block(counter) == generator.block(counter))
        #expect(generator.block(counter) == Philox4x32(key: SIMD2(7, 11)).block(counter))
    }

    /// Flipping one input bit flips each output bit with probability ½: over 128 counter bits
    /// × 8 base counters = 1024 trials of 128 output bits, the mean Hamming distance is 64 with
    /// standard error √(128 · ¼ / 1024) ≈ 0.18; allow ±1 (about 5.6 standard errors).
    @Test("has full avalanche in the counter and the key")
    func avalanche() {
        let generator = Philox4x32(key: SIMD2(0x1234_5678, 0x9ABC_DEF0))
        var counterFlips = 0
        var keyFlips = 0
        var trials = 0
        for base in 0..<8 as Range<UInt32> {
            let counter = SIMD4<UInt32>(base, base &* 0x9E37_79B9, ~base, 42)
            let reference = generator.block(counter)
            for bit in 0..<128 {
                var flipped = counter
                flipped[bit / 32] ^= 1 << UInt32(bit % 32)
                counterFlips += hammingDistance(generator.block(flipped), reference)
                var key = generator.key
                key[(bit / 32) % 2] ^= 1 << UInt32(bit % 32)
                keyFlips += hammingDistance(Philox4x32(key: key).block(counter), reference)
                trials += 1
            }
        }
        #expect(abs(Double(counterFlips) / Double(trials) - 64) < 1)
        #expect(abs(Double(keyFlips) / Double(trials) - 64) < 1)
    }

    /// Philox is a bijection of counters for a fixed key; distinct counters never collide.
    @Test("gives distinct blocks for 2^16 consecutive counters")
    func noCollisions() {
        let generator = Philox4x32(key: SIMD2(3, 5))
        var seen = Set<SIMD4<UInt32>>()
        for low in 0..<(1 << 16) as Range<UInt32> {
            seen.insert(generator.block(SIMD4(low, 0, 0, 0)))
        }
        #expect(seen.count == 1 << 16)
    }

    private func hammingDistance(_ a: SIMD4<UInt32>, _ b: SIMD4<UInt32>) -> Int {
        let difference = a ^ b
        return (0..<4).reduce(0) { $0 + difference[$1].nonzeroBitCount }
    }
}
