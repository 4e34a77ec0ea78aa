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
        precondition(
            x.rank == 2 && weight.rank == 2,
            "linear needs x (batch, in) and W (out, in), got \(x.shape), \(weight.shape)")
        let (batch, inputs) = (x.shape[0], x.shape[1])
        let outputs = weight.shape[0]
        precondition(
            weight.shape[1] == inputs, "linear: x has \(inputs) features, W \(weight.shape) expects \(weight.shape[1])")
        precondition(bias.shape == [outputs], "linear: bias shape \(bias.shape) should be [\(outputs)]")
        let result = Tensor(shape: [batch, outputs]) { out in
            let dst = out.baseAddress!
            for r in 0..<batch { (dst + r * outputs).update(from: bias.storage.base, count: outputs) }
            MatrixKernels.gemm(
                transposeA: false, transposeB: true, m: batch, n: outputs, k: inputs,
                x.storage.base, weight.storage.base, beta: 1, dst)
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
