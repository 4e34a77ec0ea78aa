/// Reductions over one axis of a row-major array seen as `[outer, length, inner]`.
///
/// Sums accumulate in Double, so that large sums keep Float32 accuracy.
enum ReductionKernels {
    /// out[o, i] = Σₖ x[o, k, i].
    static func sum(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, outer: Int, length: Int, inner: Int
    ) {
        if inner == 1 {
            for o in 0..<outer {
                let row = x + o * length
                // Four partial sums keep the loop vectorised.
                var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                var k = 0
                while k + 4 <= length {
                    s0 += Double(row[k])
                    s1 += Double(row[k + 1])
                    s2 += Double(row[k + 2])
                    s3 += Double(row[k + 3])
                    k += 4
                }
                while k < length {
                    s0 += Double(row[k])
                    k += 1
                }
                out[o] = Float((s0 + s1) + (s2 + s3))
            }
            return
        }
        let accumulator = UnsafeMutablePointer<Double>.allocate(capacity: inner)
        defer { accumulator.deallocate() }
        for o in 0..<outer {
            accumulator.initialize(repeating: 0, count: inner)
            var row = x + o * length * inner
            for _ in 0..<length {
                for i in 0..<inner { accumulator[i] += Double(row[i]) }
                row += inner
            }
            let target = out + o * inner
            for i in 0..<inner { target[i] = Float(accumulator[i]) }
        }
    }

    /// out[o, i] = maxₖ x[o, k, i]; NaN propagates.
    static func max(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, outer: Int, length: Int, inner: Int
    ) {
        for o in 0..<outer {
            let base = x + o * length * inner
            let target = out + o * inner
            for i in 0..<inner { target[i] = base[i] }
            var row = base + inner
            for _ in 1..<Swift.max(length, 1) {
                for i in 0..<inner {
                    let v = row[i]
                    if v > target[i] || v.isNaN { target[i] = v }
                }
                row += inner
            }
        }
    }

    /// Splits `shape` around `axis` into (outer, length, inner).
    static func split(_ shape: [Int], axis: Int) -> (outer: Int, length: Int, inner: Int) {
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        return (outer, shape[axis], inner)
    }
}

/// Matrix products through OpenBLAS's `cblas_sgemm`, row-major.
enum MatrixKernels {
    /// C = alpha·op(A)·op(B) + beta·C, with op(A) m×k, op(B) k×n, C m×n, all row-major and contiguous.
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, beta: Float = 0, _ c: UnsafeMutablePointer<Float>
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            if beta == 0 { c.initialize(repeating: 0, count: m * n) } else { for i in 0..<(m * n) { c[i] *= beta } }
            return
        }
        if Swift.min(m, n, k) <= NarrowMatrixKernels.limit,
            NarrowMatrixKernels.gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a, b, beta: beta, c)
        {
            return
        }
        _ = Compute.threadCount  // applies the default thread count before the first call
        BLAS.sgemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
            a: a, lda: transposeA ? m : k, b: b, ldb: transposeB ? k : n, beta: beta, c: c, ldc: n)
    }
}
