import CScoreKitBLAS

/// The heap buffer behind a `Tensor`: `count` contiguous `Float`s, 64-byte aligned.
///
/// A `final class` only for identity: `Tensor` shares one storage between copies and copies it
/// on the first write to a shared buffer (copy-on-write, checked with `isKnownUniquelyReferenced`).
/// Never mutated while shared, hence `@unchecked Sendable`.
final class TensorStorage: @unchecked Sendable {
    let count: Int
    let base: UnsafeMutablePointer<Float>

    /// Allocates uninitialised memory for `count` elements.
    init(uninitializedCount count: Int) {
        precondition(count >= 0, "a tensor cannot hold \(count) elements")
        _ = TensorStorage.allocatorConfigured
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: Swift.max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
    }

    /// A new storage holding a copy of this one's elements.
    func copy() -> TensorStorage {
        let other = TensorStorage(uninitializedCount: count)
        other.base.update(from: base, count: count)
        return other
    }

    /// Keeps tensor buffers on one heap instead of fresh `mmap`s, once per process.
    ///
    /// glibc maps blocks above a (dynamic) threshold with `mmap` and trims the heap top eagerly,
    /// so a training step that frees and reallocates the same 512 KB activations pays page faults
    /// and zeroing every step. Buffers up to 64 MB come from the heap and the heap keeps 256 MB of
    /// free memory before returning it, so memory is reused rather than mapped again.
    ///
    /// One arena for all threads: with one per thread, a freed buffer goes back to the arena of
    /// the thread that allocated it, and a shard that runs on another thread in the next step
    /// grows that thread's arena instead of reusing it, so the resident set crept up step after
    /// step (docs/BENCHMARKS.md, session 10). Tensor buffers are few and large, and small blocks
    /// come from glibc's per-thread caches, so the shared lock is rarely contended.
    private static let allocatorConfigured: Bool = {
        _ = mallopt(M_ARENA_MAX, 1)
        _ = mallopt(M_MMAP_THRESHOLD, 64 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 256 << 20)
        return true
    }()

    deinit {
        UnsafeMutableRawPointer(base).deallocate()
    }
}
