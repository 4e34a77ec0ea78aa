/// Softmax, batched matrix products and dot-product attention.

/// The softmax over the last axis: exp(x − max)/Σ exp(x − max), each row summing to 1.
///
/// ```
/// yᵢ = e^{xᵢ} / Σⱼ e^{xⱼ}        ∂x = y ⊙ (g − ⟨g, y⟩)
/// ```
/// The first-order backward is one pass over the saved output; when the backward itself is
/// recorded it is composed from differentiable operations, so softmax differentiates to any order.
public func softmax(_ x: Tensor) -> Tensor {
    precondition(x.rank >= 1, "softmax needs at least one axis, got a scalar")
    let length = x.shape[x.rank - 1]
    let rows = length == 0 ? 0 : x.scalarCount / length
    let result = Tensor(shape: x.shape) { out in
        SoftmaxKernels.softmax(x.storage.base, out.baseAddress!, rows: rows, length: length)
    }
    guard x.isTracked, Autodiff.isRecording else { return result }
    let y = result.detached()
    return Autodiff.unary(x, result: result) { g in
        guard Autodiff.isRecording else {
            return Tensor(shape: y.shape) { out in
                SoftmaxKernels.softmaxBackward(
                    y.storage.base, g.storage.base, out.baseAddress!, rows: rows, length: length)
            }
        }
        let s = softmax(x)
        return s * (g - (g * s).sum(alongAxis: -1, keepingDimension: true))
    }
}

extension Tensor {
    /// op(a[b])·op(b[b]) for every b of a batch of matrices: [B, m, k]·[B, k, n] → [B, m, n]
    /// (op transposes the last two axes when asked; no copy is made).
    ///
    /// PyTorch's `bmm`. One sgemm per batch entry; differentiable to any order.
    public static func batchedMatmul(
        _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false
    ) -> Tensor {
        precondition(
            a.rank == 3 && b.rank == 3 && a.shape[0] == b.shape[0],
            "batchedMatmul needs [B, m, k] and [B, k, n], got \(a.shape) and \(b.shape)")
        let batch = a.shape[0]
        let (m, ka) = transposeA ? (a.shape[2], a.shape[1]) : (a.shape[1], a.shape[2])
        let (kb, n) = transposeB ? (b.shape[2], b.shape[1]) : (b.shape[1], b.shape[2])
        precondition(ka == kb, "batchedMatmul shapes \(a.shape) and \(b.shape) do not agree (\(ka) vs \(kb))")
        let result = Tensor(shape: [batch, m, n]) { out in
            for i in 0..<batch {
                MatrixKernels.gemm(
                    transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: ka,
                    a.storage.base + i * m * ka, b.storage.base + i * ka * n, out.baseAddress! + i * m * n)
            }
        }
        return Autodiff.binary(a, b, result: result) { g, needA, needB in
            var ga: Tensor? = nil
            var gb: Tensor? = nil
            if needA {
                ga =
                    transposeA
                    ? batchedMatmul(b, g, transposeA: transposeB, transposeB: true)
                    : batchedMatmul(g, b, transposeB: !transposeB)
            }
            if needB {
                gb =
                    transposeB
                    ? batchedMatmul(g, a, transposeA: true, transposeB: transposeA)
                    : batchedMatmul(a, g, transposeA: !transposeA)
            }
            return (ga, gb)
        }
    }

    /// Scaled dot-product attention with positions last, the layout of flattened NCHW images:
    /// query and key [B, d, L_q] and [B, d, L_k], value [B, d_v, L_k] give [B, d_v, L_q].
    ///
    /// ```
    /// A[b, i, j] = softmax_j( Σ_c q[b, c, i]·k[b, c, j] / √d )
    /// y[b, c, i] = Σ_j v[b, c, j]·A[b, i, j]
    /// ```
    /// Vaswani et al. (2017), eq. 1, transposed; for images B is samples × heads and L = H·W,
    /// as in the attention blocks of DDPM's U-Net at low resolution (Ho et al. 2020). Composed
    /// of `batchedMatmul` and `softmax`, so it differentiates to any order. Memory grows as L².
    public static func attention(query: Tensor, key: Tensor, value: Tensor) -> Tensor {
        precondition(
            query.rank == 3 && key.rank == 3 && value.rank == 3 && query.shape[1] == key.shape[1]
                && key.shape[2] == value.shape[2] && query.shape[0] == key.shape[0] && key.shape[0] == value.shape[0],
            "attention needs q [B, d, Lq], k [B, d, Lk], v [B, dv, Lk], got \(query.shape), \(key.shape), \(value.shape)"
        )
        let scale = 1 / Float(query.shape[1]).squareRoot()
        let weights = softmax(batchedMatmul(query, key, transposeA: true) * scale)
        return batchedMatmul(value, weights, transposeB: true)
    }
}

/// Dropout (Srivastava et al. 2014): each element is zeroed with probability `rate` and the
/// others are scaled by 1/(1 − rate), so the expectation is unchanged.
///
/// ```
/// y = x ⊙ m / (1 − p),   m ~ Bernoulli(1 − p) elementwise, from one uniform draw per element
/// ```
/// The mask comes from `stream` (one uniform per element, `RandomStream.fillUniform`), so a run
/// is reproducible from its seed and counter. Rate 0 returns x. Gradients flow through the kept
/// elements with the same scale.
public func dropout(_ x: Tensor, rate: Float, stream: inout RandomStream) -> Tensor {
    precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
    if rate == 0 { return x }
    let keep = 1 / (1 - rate)
    let mask = Tensor(shape: x.shape) { buffer in
        stream.fillUniform(buffer)
        for i in buffer.indices { buffer[i] = buffer[i] >= rate ? keep : 0 }
    }
    return x * mask
}

/// Dropout with each sample's mask drawn from its own stream of `noise` (first axis: samples),
/// so a sample's mask does not depend on the batch it runs in.
public func dropout(_ x: Tensor, rate: Float, noise: inout some NoiseSource) -> Tensor {
    precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
    if rate == 0 { return x }
    let keep = 1 / (1 - rate)
    var mask = noise.uniform(x.shape)
    mask.withUnsafeMutableBufferPointer { buffer in
        for i in buffer.indices { buffer[i] = buffer[i] >= rate ? keep : 0 }
    }
    return x * mask
}
