import Testing

@testable import ScoreKitCore

@Suite("Register-tile matrix products")
struct TileProductTests {
    /// Deterministic values in [−0.5, 0.5).
    private func values(_ count: Int, seed: Int) -> [Float] {
        (0..<count).map { Float(($0 &* 2_654_435_761 &+ seed &* 40_503) % 1_000) / 1_000 - 0.5 }
    }

    /// C = A·B (+ C) with A stored as is or transposed, against a Double reference, over shapes
    /// that leave partial tiles in both directions and a C with a longer row stride.
    @Test(
        "products match a Double reference for partial tiles, both layouts of A and accumulation",
        arguments: [
            (1, 1, 1), (3, 24, 5), (5, 16, 3), (6, 16, 64), (7, 17, 9), (8, 16, 4), (10, 33, 7), (11, 16, 2),
            (13, 40, 32), (12, 64, 64), (32, 8, 5), (25, 100, 70), (7, 20, 300),
        ])
    func matchesReference(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        let ldc = n + 3
        let a = values(m * k, seed: 1)
        let b = values(k * n, seed: 2)
        let start = values(m * ldc, seed: 3)
        for transposed in [false, true] {
            for accumulate in [false, true] {
                var c = start
                a.withUnsafeBufferPointer { ap in
                    b.withUnsafeBufferPointer { bp in
                        c.withUnsafeMutableBufferPointer { cp in
                            TileProductKernels.multiply(
                                m: m, n: n, k: k, ap.baseAddress!, rowStep: transposed ? 1 : k,
                                kStep: transposed ? m : 1, bp.baseAddress!, ldb: n, cp.baseAddress!, ldc: ldc,
                                accumulate: accumulate)
                        }
                    }
                }
                var worst = 0.0
                for i in 0..<m {
                    for j in 0..<ldc {
                        var expected = Double(start[i * ldc + j])
                        if j < n {
                            var sum = 0.0
                            for kk in 0..<k {
                                let aik = transposed ? a[kk * m + i] : a[i * k + kk]
                                sum += Double(aik) * Double(b[kk * n + j])
                            }
                            expected = accumulate ? expected + sum : sum
                        }
                        worst = max(worst, abs(expected - Double(c[i * ldc + j])))
                    }
                }
                #expect(worst < 1e-5, "m \(m) n \(n) k \(k) transposed \(transposed) accumulate \(accumulate)")
            }
        }
    }

    @Test("an empty sum writes zeros, or leaves C when accumulating")
    func emptySum() {
        func product(of c: [Float], accumulate: Bool) -> [Float] {
            var c = c
            let a: [Float] = [0]
            c.withUnsafeMutableBufferPointer { cp in
                a.withUnsafeBufferPointer { ap in
                    TileProductKernels.multiply(
                        m: 2, n: 2, k: 0, ap.baseAddress!, rowStep: 0, kStep: 1, ap.baseAddress!, ldb: 2,
                        cp.baseAddress!, ldc: 2, accumulate: accumulate)
                }
            }
            return c
        }
        #expect(product(of: [1, 2, 3, 4], accumulate: true) == [1, 2, 3, 4])
        #expect(product(of: [1, 2, 3, 4], accumulate: false) == [0, 0, 0, 0])
    }
}
