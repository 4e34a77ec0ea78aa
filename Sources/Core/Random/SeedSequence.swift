/// A seed from which labelled child seeds are derived, so that each purpose (noise, time draws,
/// data indices) and each training step gets its own Philox key and its streams never meet.
///
/// ```
/// child(ℓ).seed = y₀ + 2³² y₁,   (y₀, y₁, y₂, y₃) = Philox4x32(key(seed)).block((ℓ mod 2³², ⌊ℓ / 2³²⌋, 2³² − 1, 2³² − 1))
/// child("text") = child(FNV-1a-64(UTF-8 bytes of "text"))
/// ```
/// Typical use, with the recipe's seed at the root:
///
/// ```swift
/// let root = SeedSequence(seed: 7)
/// var noise = root.child("noise").child(UInt64(step)).stream(UInt64(sampleIndex))
/// var times = root.child("time").child(UInt64(step)).stream(UInt64(sampleIndex))
/// ```
/// Guarantees: derivation is pure and platform-independent (FNV-1a, not the randomly seeded
/// `Hasher`). Philox is a bijection of counters, so distinct labels give distinct 128-bit blocks;
/// truncated to 64-bit seeds, L labels of one parent collide with probability about L²/2⁶⁵
/// (3 × 10⁻⁸ for a million labels). A child seed equals words 0 and 1 of block ℓ of
/// `RandomStream(seed: seed, stream: UInt64.max)`, so never use stream index 2⁶⁴ − 1 for samples
/// of a seed that also has children.
///
/// Same role as NumPy's `SeedSequence.spawn` and JAX's `random.fold_in`; not the same numbers.
public struct SeedSequence: Sendable, Hashable {
    /// The 64-bit seed of this node.
    public let seed: UInt64

    /// The root (or any node) of a derivation tree.
    public init(seed: UInt64) {
        self.seed = seed
    }

    /// The child seed for integer label `label` (e.g. a training step).
    public func child(_ label: UInt64) -> SeedSequence {
        let words = RandomStream(seed: seed, stream: .max, drawCounter: label).block(at: label)
        return SeedSequence(seed: UInt64(words[0]) | UInt64(words[1]) &<< 32)
    }

    /// The child seed for text label `label` (e.g. `"noise"`): `child` of its FNV-1a 64-bit hash.
    ///
    /// Source: G. Fowler, L. C. Noll, K.-P. Vo, FNV-1a, offset basis 0xCBF29CE484222325,
    /// prime 0x100000001B3.
    public func child(_ label: String) -> SeedSequence {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in label.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return child(hash)
    }

    /// Stream `index` (e.g. a sample's global index) of this seed, at draw counter 0.
    public func stream(_ index: UInt64) -> RandomStream {
        RandomStream(seed: seed, stream: index)
    }
}
