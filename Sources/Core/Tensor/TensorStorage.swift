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
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
    }

    /// A new storage holding a copy of this one's elements.
        func copy() -> TensorStorage {
        let other = TensorStorage(uninitializedCount: count)
        other.base.update(from: base, count: count)
        return other
    }

    deinit {
        UnsafeMutableRawPointer(base).deallocate()
    }
}
