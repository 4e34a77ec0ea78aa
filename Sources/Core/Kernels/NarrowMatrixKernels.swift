/// Matrix products with a dimension of at most `NarrowMatrixKernels.limit`, written out.
///
/// sgemm packs its operands into panels for wide products; with an output of 2 columns (a
/// network's last layer on 2-D data), an inner dimension of 1 or 2 (its backward, a scalar
/// embedding's first layer) or 2 output rows (that layer's weight gradient), the packing is
/// the whole cost: ≈40 µs a call measured (ENGINE-NOTES.md), 10–100 times the arithmetic.
/// These loops run over the long contiguous dimension, so they vectorise and cost about as much
/// as reading the operands.
enum NarrowMatrixKernels {
    /// The largest m, n or k handled here.
    static let limit = 4

    /// C = α·op(A)·op(B) + β·C (row-major, contiguous) when m, n or k ≤ `limit`; false otherwise.
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, beta: Float, _ c: UnsafeMutablePointer<Float>
    ) -> Bool {
        // Element (i, p) of op(A) and (p, j) of op(B).
        @inline(__always) func opA(_ i: Int, _ p: Int) -> Float { transposeA ? a[p * m + i] : a[i * k + p] }
        @inline(__always) func opB(_ p: Int, _ j: Int) -> Float { transposeB ? b[j * k + p] : b[p * n + j] }
        if (k <= limit && (!transposeB || k == 1)) || (m <= limit && !transposeB) {
            // Rows of op(B) are contiguous (B untransposed, or a single row when k = 1):
            // C[i, :] = β·C[i, :] + Σ_p α·A(i, p)·B[p, :], over the long dimension n.
            for i in 0..<m {
                let row = c + i * n
                scale(row, count: n, by: beta)
                for p in 0..<k { accumulate(row, b + p * n, count: n, times: alpha * opA(i, p)) }
            }
            return true
        }
        if n <= limit {
            // Column j of op(B) packed contiguous, then a dot product per row (or, with Aᵀ stored,
            // an accumulation over A's contiguous rows).
            let column = UnsafeMutablePointer<Float>.allocate(capacity: k)
            let sums = UnsafeMutablePointer<Float>.allocate(capacity: transposeA ? m : 1)
            defer {
                column.deallocate()
                sums.deallocate()
            }
            for j in 0..<n {
                for p in 0..<k { column[p] = opB(p, j) }
                if transposeA {
                    sums.initialize(repeating: 0, count: m)
                    for p in 0..<k { accumulate(sums, a + p * m, count: m, times: column[p]) }
                    for i in 0..<m { c[i * n + j] = alpha * sums[i] + (beta == 0 ? 0 : beta * c[i * n + j]) }
                } else {
                    for i in 0..<m {
                        let d = dot(a + i * k, UnsafePointer(column), count: k)
                        c[i * n + j] = alpha * d + (beta == 0 ? 0 : beta * c[i * n + j])
                    }
                }
            }
            return true
        }
        return false
    }

    /// x ← β·x (x ← 0 when β = 0, whatever x held).
    @inline(__always)
    static func scale(_ x: UnsafeMutablePointer<Float>, count: Int, by beta: Float) {
        if beta == 0 {
            x.initialize(repeating: 0, count: count)
        } else if beta != 1 {
            for q in 0..<count { x[q] *= beta }
        }
    }

    /// y ← y + s·x.
    @inline(__always)
    static func accumulate(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int, times s: Float) {
        for q in 0..<count { y[q] += s * x[q] }
    }

    /// Σ x·y with 32 partial sums in four independent chains, so the loop vectorises and the
    /// additions overlap.
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        @inline(__always) func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
            UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
        }
        var (s0, s1, s2, s3) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
        var p = 0
        while p + 32 <= count {
            s0 += load(x + p) * load(y + p)
            s1 += load(x + p + 8) * load(y + p + 8)
            s2 += load(x + p + 16) * load(y + p + 16)
            s3 += load(x + p + 24) * load(y + p + 24)
            p += 32
        }
        while p + 8 <= count {
            s0 += load(x + p) * load(y + p)
            p += 8
        }
        var tail: Float = 0
        while p < count {
            tail += x[p] * y[p]
            p += 1
        }
        return ((s0 + s1) + (s2 + s3)).sum() + tail
    }
}
