/// Matrix products through BLAS.
extension Tensor {
    /// op(a)·op(b) for matrices, where op transposes when asked (no copy is made).
    public static func matmul(
        _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false
    ) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2, "matmul needs matrices, got shapes \(a.shape) and \(b.shape)")
        let (m, ka) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (kb, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        precondition(
            ka == kb,
            "matmul shapes \(a.shape)\(transposeA ? "ᵀ" : "") and \(b.shape)\(transposeB ? "ᵀ" : "") do not agree (\(ka) vs \(kb))"
        )
        let result = Tensor(shape: [m, n]) { out in
            MatrixKernels.gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: ka,
                a.storage.base, b.storage.base, out.baseAddress!)
        }
        return Autodiff.binary(a, b, result: result) { g, needA, needB in
            var ga: Tensor? = nil
            var gb: Tensor? = nil
            if needA {
                // d op(A) = g·op(B)ᵀ; transposed back when A was used transposed.
                ga =
                    transposeA
                    ? matmul(b, g, transposeA: transposeB, transposeB: true)
                    : matmul(g, b, transposeB: !transposeB)
            }
            if needB {
                // d op(B) = op(A)ᵀ·g.
                gb =
                    transposeB
                    ? matmul(g, a, transposeA: true, transposeB: transposeA)
                    : matmul(a, g, transposeA: !transposeA)
            }
            return (ga, gb)
        }
    }

    /// x·Wᵀ + b, PyTorch's `Linear` convention: x is (batch, in), W (out, in), b (out).
    ///
    /// One sgemm with the bias loaded into the output first (beta = 1).
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        let (batch, outputs) = linearShape(x, weight: weight, bias: bias)
        let result = Tensor(shape: [batch, outputs]) { out in
            affine(x, weight: weight, bias: bias, into: out.baseAddress!)
        }
        return Autodiff.nary([x, weight, bias], result: result) { g, needed in
            [
                needed[0] ? matmul(g, weight) : nil,
                needed[1] ? matmul(g, x, transposeA: true) : nil,
                needed[2] ? g.sum(alongAxis: 0) : nil,
            ]
        }
    }
}
