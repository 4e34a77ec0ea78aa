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
    private static let configuredKernelThreads = Atomic<Int>(1)

    /// The threads the engine's own elementwise kernels split into (default 1).
    ///
    /// Measured on W1 (2 cores, BLAS on 2 threads): splitting SiLU and Adam across 2 threads
    /// made the step slower (7.2–10.4 ms against 5.7–6.8 ms serial), because OpenBLAS's workers
    /// still spin on the second core after each call, and the extra threads' malloc arenas raised
    /// the peak RSS from 38 MB to 105 MB. Raise it for kernel-bound work without BLAS in between.
    public static var kernelThreadCount: Int { configuredKernelThreads.load(ordering: .relaxed) }

    /// Splits the engine's own large elementwise kernels into `count` threads.
    public static func setKernelThreadCount(_ count: Int) {
        precondition(count >= 1, "kernel thread count must be at least 1, got \(count)")
        configuredKernelThreads.store(count, ordering: .relaxed)
    }

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

    /// Uses `count` threads for BLAS (see `setKernelThreadCount(_:)` for the engine's own kernels).
    public static func setThreadCount(_ count: Int) {
        precondition(count >= 1, "thread count must be at least 1, got \(count)")
        configuredThreads.store(count, ordering: .relaxed)
        _ = BLAS.kernels
        openblas_set_num_threads(Int32(count))
    }

    /// Runs `body` on up to `kernelThreadCount` contiguous chunks of `0..<count`, in parallel when each
    /// chunk gets at least `minimumPerChunk` items; as one call on the whole range otherwise.
    ///
    /// For kernels of plug-in modules (optimizers, custom layers): `body` runs concurrently and must
    /// only write the elements of its own range. Never call BLAS inside it.
    @inline(__always)
    public static func parallelChunks(count: Int, minimumPerChunk: Int, _ body: (Range<Int>) -> Void) {
        let threads = insideShard ? 1 : kernelThreadCount
        let chunks = Swift.min(threads, count / Swift.max(minimumPerChunk, 1))
        guard chunks > 1 else {
            withDenormalsFlushed { body(0..<count) }
            return
        }
        let size = (count + chunks - 1) / chunks
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = chunk * size
                withDenormalsFlushed { box.value(start..<Swift.min(count, start + size)) }
            }
        }
    }

    private static let flushing = Atomic<Bool>(true)

    /// Whether the engine's parallel regions (`forEachShard`, `mapShards`, `forEachPiece`,
    /// `parallelChunks`) run with denormal floats flushed to zero (default: yes).
    ///
    /// Values below 1.2e-38 arise in training (SiLU's derivative of a saturated unit times a
    /// small gradient) and every product that touches them costs a microcode assist: a W1 step
    /// after 5,000 steps took 5.5 ms instead of 4.2 without flushing. XLA and TensorFlow flush
    /// too. The mode is set on the region's threads for the region only and restored after;
    /// with or without it, results do not depend on the thread count.
    public static var flushesDenormals: Bool {
        get { flushing.load(ordering: .relaxed) }
        set { flushing.store(newValue, ordering: .relaxed) }
    }

    /// `body` with denormals flushed to zero on this thread when `flushesDenormals` is on.
    @inline(__always)
    static func withDenormalsFlushed<R>(_ body: () throws -> R) rethrows -> R {
        guard flushesDenormals else { return try body() }
        let saved = scorekit_flush_denormals()
        defer { scorekit_restore_floating_point_mode(saved) }
        return try body()
    }
}

/// Hands a value to parallel work (`parallelChunks`, `forEachShard`) that only reads it or writes
/// disjoint parts of it; the caller vouches for that, the compiler cannot.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
