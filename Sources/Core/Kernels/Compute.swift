import CScoreKitBLAS
import Dispatch
import Synchronization

/// The engine's thread count: OpenBLAS's threads and the split of ScoreKit's own large kernels.
///
/// One explicit number, set from configuration (`--threads`), never read from the environment.
/// BLAS calls and ScoreKit's parallel kernels run one after the other, never nested: a
/// multi-threaded BLAS inside parallel workers is 10–70 % slower (ENGINE-NOTES.md).
public enum Compute {
    private static let configuredThreads = Atomic<Int>(0)

    /// The number of threads in use; all cores until `setThreadCount(_:)` is called.
    public static var threadCount: Int {
        let n = configuredThreads.load(ordering: .relaxed)
        if n > 0 { return n }
        let cores = activeCoreCount
        setThreadCount(cores)
        return cores
    }

    /// The cores this process may run on.
    public static var activeCoreCount: Int {
        Swift.max(1, Int(openblas_get_num_procs()))
    }

    /// Uses `count` threads for BLAS and for the engine's own kernels on large tensors.
    public static func setThreadCount(_ count: Int) {
        precondition(count >= 1, "thread count must be at least 1, got \(count)")
        configuredThreads.store(count, ordering: .relaxed)
        openblas_set_num_threads(Int32(count))
    }

    /// Runs `body` on up to `threadCount` contiguous chunks of `0..<count`, in parallel when each
    /// chunk gets at least `minimumPerChunk` items; as one call on the whole range otherwise.
    ///
    /// For kernels of plug-in modules (optimizers, custom layers): `body` runs concurrently and must
    /// only write the elements of its own range. Never call BLAS inside it.
    @inline(__always)
    public static func parallelChunks(count: Int, minimumPerChunk: Int, _ body: (Range<Int>) -> Void) {
        let threads = threadCount
        let chunks = Swift.min(threads, count / Swift.max(minimumPerChunk, 1))
        guard chunks > 1 else {
            body(0..<count)
            return
        }
        let size = (count + chunks - 1) / chunks
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = chunk * size
                box.value(start..<Swift.min(count, start + size))
            }
        }
    }
}

/// Hands a value to a parallel kernel that only reads it or writes disjoint ranges.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
