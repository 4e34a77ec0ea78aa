extension Tensor {
    /// SiLU(x·Wᵀ + b) as one operation: the affine output is turned into the activation in place.
    ///
    /// ```
    /// y = z·σ(z),  z = x·Wᵀ + b        ∂y/∂z = σ(z)·(1 + z·(1 − σ(z))) = σ(z) + y·(1 − σ(z))
    /// ```
    /// Same values as `silu(Tensor.linear(x, weight:, bias:))`, with one activation buffer instead
    /// of three: z never outlives the op, and training keeps y (the next layer's input anyway) and
    /// σ(z), from which the first-order backward needs no exp and no z. When the backward itself
    /// is recorded (gradients of gradients, as sliced score matching needs), it recomputes z with
    /// recorded operations, so the op is differentiable to any order.
    public static func linearSiLU(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        let (batch, outputs) = linearShape(x, weight: weight, bias: bias)
        let tracked = x.isTracked || weight.isTracked || bias.isTracked
        guard tracked, Autodiff.isRecording else {
            return Tensor(shape: [batch, outputs]) { out in
                affine(x, weight: weight, bias: bias, into: out.baseAddress!)
                ElementwiseKernels.siluInPlace(out.baseAddress!, count: batch * outputs)
            }
        }
        let sigmoid = TensorStorage(uninitializedCount: batch * outputs)
        let y = Tensor(shape: [batch, outputs]) { out in
            affine(x, weight: weight, bias: bias, into: out.baseAddress!)
            ElementwiseKernels.siluInPlace(out.baseAddress!, savingSigmoidTo: sigmoid.base, count: batch * outputs)
        }
        let s = Tensor(shape: [batch, outputs], storage: sigmoid)
        return Autodiff.nary([x, weight, bias], result: y) { g, needed in
            let gz: Tensor
            if Autodiff.isRecording {
                gz = siluBackward(Tensor.linear(x, weight: weight, bias: bias), g)
            } else {
                gz = siluBackwardFromOutput(y, s, g)
            }
            return [
                needed[0] ? matmul(gz, weight) : nil,
                needed[1] ? matmul(gz, x, transposeA: true) : nil,
                needed[2] ? gz.sum(alongAxis: 0) : nil,
            ]
        }
    }

    /// (batch, outputs) of x·Wᵀ + b, after checking the shapes.
    static func linearShape(_ x: Tensor, weight: Tensor, bias: Tensor) -> (Int, Int) {
        precondition(
            x.rank == 2 && weight.rank == 2,
            "linear needs x (batch, in) and W (out, in), got \(x.shape), \(weight.shape)")
        let inputs = x.shape[1]
        let outputs = weight.shape[0]
        precondition(
            weight.shape[1] == inputs, "linear: x has \(inputs) features, W \(weight.shape) expects \(weight.shape[1])")
        precondition(bias.shape == [outputs], "linear: bias shape \(bias.shape) should be [\(outputs)]")
        return (x.shape[0], outputs)
    }

    /// Writes x·Wᵀ + b into `out` (batch × outputs): the bias rows, then sgemm with β = 1.
    static func affine(_ x: Tensor, weight: Tensor, bias: Tensor, into out: UnsafeMutablePointer<Float>) {
        let (batch, inputs, outputs) = (x.shape[0], x.shape[1], weight.shape[0])
        for r in 0..<batch { (out + r * outputs).update(from: bias.storage.base, count: outputs) }
        MatrixKernels.gemm(
            transposeA: false, transposeB: true, m: batch, n: outputs, k: inputs,
            x.storage.base, weight.storage.base, beta: 1, out)
    }

    /// g·(σ + y·(1 − σ)), SiLU's backward from its output y and σ of its input (untracked).
    static func siluBackwardFromOutput(_ y: Tensor, _ sigmoid: Tensor, _ g: Tensor) -> Tensor {
        precondition(y.shape == g.shape && y.shape == sigmoid.shape, "silu backward shapes \(y.shape), \(g.shape)")
        return Tensor(shape: y.shape) { out in
            ElementwiseKernels.siluBackwardFromOutput(
                y.storage.base, sigmoid.storage.base, g.storage.base, out.baseAddress!, count: y.scalarCount)
        }
    }
}
