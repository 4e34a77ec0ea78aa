import Foundation
public import ScoreKitCore

/// One test at a time may change the thread counts (`Compute.threadCount`, which also sets
/// OpenBLAS's, and `Compute.kernelThreadCount`): they are process-wide, and a test that checks
/// results "on 1 and on 2 threads" is only checking that while no other test changes them.
private let threadCountLock = NSLock()

/// Runs `body` with `count` threads for BLAS and for the engine's kernels, then restores both.
/// Every test that changes the thread counts goes through here: such bodies run one at a time in
/// the whole test process (tests that leave the counts alone still run beside them).
public func withThreadCount<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
    threadCountLock.lock()
    defer { threadCountLock.unlock() }
    let previous = (Compute.threadCount, Compute.kernelThreadCount)
    Compute.setThreadCount(count)
    Compute.setKernelThreadCount(count)
    defer {
        Compute.setThreadCount(previous.0)
        Compute.setKernelThreadCount(previous.1)
    }
    return try body()
}
