import ScoreKitTesting
import Testing

@testable import ScoreKitCore

@Suite("Denormals in parallel regions", .serialized)
struct DenormalFlushTests {
    /// 1e-30 · 1e-10 = 1e-40 is below Float's smallest normal (1.18e-38).
    private static func tinyProduct(_ a: Float, _ b: Float) -> Float { a * b }

    @Test("a shard flushes denormal results to zero, on one thread and on several")
    func shardsFlush() {
        // Parsed at run time, so that the compiler cannot fold the product.
        let a = Float("1e-30")!
        let b = Float("1e-10")!
        #expect(Self.tinyProduct(a, b) != 0, "outside regions IEEE denormals stay")
        for threads in [1, 2] {
            let products = withThreadCount(threads) {
                Compute.mapShards(count: 4, rows: 1) { _ in Self.tinyProduct(a, b) }
            }
            #expect(products == [0, 0, 0, 0], "\(threads) thread(s): \(products)")
        }
        #expect(Self.tinyProduct(a, b) != 0, "the mode is restored after the region")
    }
}
