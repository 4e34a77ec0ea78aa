/// The Philox-4x32-10 counter-based pseudorandom function of Salmon et al. (2011).
///
/// A keyed bijection of 128-bit counters: `block(c)` is the 10-round Philox network applied to
/// the four 32-bit words of `c`, under the 64-bit `key`. Each round, with multipliers
/// `M₀ = 0xD2511F53`, `M₁ = 0xCD9E8D57` and round key `(k₀, k₁)`, maps
///
/// ```
/// (x₀, x₁, x₂, x₃) ↦ (hi(M₁·x₂) ⊕ x₁ ⊕ k₀,  lo(M₁·x₂),  hi(M₀·x₀) ⊕ x₃ ⊕ k₁,  lo(M₀·x₀))
/// ```
///
/// where `hi`/`lo` are the upper and lower 32 bits of the 64-bit product. Round 1 uses `key`;
/// before each later round the key is bumped by the Weyl increments
/// `(k₀, k₁) += (0x9E3779B9, 0xBB67AE85)` modulo 2³².
///
/// Source: J. K. Salmon, M. A. Moraes, R. O. Dror, D. E. Shaw, "Parallel random numbers: as easy
/// as 1, 2, 3", SC 2011 (Philox-4×32 with R = 10 rounds, the paper's recommended count).
/// Bit-identical to `philox4x32_R(10, ctr, key)` of the Random123 library (its `kat_vectors`
/// known answers are in the tests). cuRAND's `CURAND_RNG_PHILOX4_32_10` uses the same algorithm
/// but maps seeds and offsets to words its own way. Not NumPy's `Philox`, which is Philox-4×64.
///
/// Counter-based: there is no state to advance. Any `(key, counter)` pair can be evaluated
/// independently, which is what makes per-sample streams independent of batch size and thread
/// count (`RandomStream` assigns the counter words). Passes TestU01's BigCrush according to the
/// paper; it is not a cryptographic generator.
public struct Philox4x32: Sendable, Hashable {
    /// The 64-bit key `(k₀, k₁)`, applied in round 1 before any Weyl bump.
    public let key: SIMD2<UInt32>

    /// A generator with the given key `(k₀, k₁)`.
    @inlinable
    public init(key: SIMD2<UInt32>) {
        self.key = key
    }

    /// The 128-bit output block for `counter`, words `(x₀, x₁, x₂, x₃)` in that order.
    ///
    /// Pure and allocation-free: 20 32×32→64-bit multiplications. Equal to Random123's
    /// `philox4x32_R(10, {x₀, x₁, x₂, x₃}, {k₀, k₁})`.
    @inlinable
    public func block(_ counter: SIMD4<UInt32>) -> SIMD4<UInt32> {
        var x = (counter[0], counter[1], counter[2], counter[3])
        var (k0, k1) = (key[0], key[1])
        // Round 1 with the unbumped key, then bump-and-round nine times (Random123's order).
        for round in 0..<10 {
            if round > 0 {
                k0 &+= 0x9E37_79B9
                k1 &+= 0xBB67_AE85
            }
            Self.round(&x, k0, k1)
        }
        return SIMD4(x.0, x.1, x.2, x.3)
    }

    /// One Philox-4×32 round: two 32×32→64-bit products, the word permutation and the key XOR.
    @inlinable
    @inline(__always)
    static func round(_ x: inout (UInt32, UInt32, UInt32, UInt32), _ k0: UInt32, _ k1: UInt32) {
        let product0 = UInt64(0xD251_1F53) &* UInt64(x.0)
        let product1 = UInt64(0xCD9E_8D57) &* UInt64(x.2)
        x = (
            UInt32(truncatingIfNeeded: product1 &>> 32) ^ x.1 ^ k0,
            UInt32(truncatingIfNeeded: product1),
            UInt32(truncatingIfNeeded: product0 &>> 32) ^ x.3 ^ k1,
            UInt32(truncatingIfNeeded: product0)
        )
    }
}

extension Philox4x32 {
    /// Four blocks at once, equal to four `block(_:)` calls.
    ///
    /// The rounds of the four blocks are interleaved so that their multiplication chains overlap
    /// in the pipeline. Written with scalar words, not SIMD vectors: SIMD lanes are somewhat
    /// faster in release builds but tens of times slower in debug builds, where tests run.
    @inline(__always)
    func blocks(_ counters: FourBlocks) -> FourBlocks {
        var a = (counters.0[0], counters.0[1], counters.0[2], counters.0[3])
        var b = (counters.1[0], counters.1[1], counters.1[2], counters.1[3])
        var c = (counters.2[0], counters.2[1], counters.2[2], counters.2[3])
        var d = (counters.3[0], counters.3[1], counters.3[2], counters.3[3])
        var (k0, k1) = (key[0], key[1])
        for round in 0..<10 {
            if round > 0 {
                k0 &+= 0x9E37_79B9
                k1 &+= 0xBB67_AE85
            }
            Self.round(&a, k0, k1)
            Self.round(&b, k0, k1)
            Self.round(&c, k0, k1)
            Self.round(&d, k0, k1)
        }
        return (
            SIMD4(a.0, a.1, a.2, a.3), SIMD4(b.0, b.1, b.2, b.3), SIMD4(c.0, c.1, c.2, c.3), SIMD4(d.0, d.1, d.2, d.3)
        )
    }
}

/// Four 128-bit blocks (or their counters), in order.
typealias FourBlocks = (SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>)
