/// Elementwise functions. Each gradient is written with differentiable operations, so that every
/// function here can be differentiated twice (and more).

/// eˣ, elementwise (a vectorised polynomial; within 2 ulp of libm).
public func exp(_ x: Tensor) -> Tensor {
    Autodiff.unary(x, result: x.applying(Elementwise.Exp())) { g in g * exp(x) }
}

/// The natural logarithm, elementwise.
public func log(_ x: Tensor) -> Tensor {
    Autodiff.unary(x, result: x.applying(Elementwise.Log())) { g in g / x }
}

/// √x, elementwise.
public func sqrt(_ x: Tensor) -> Tensor {
    Autodiff.unary(x, result: x.applying(Elementwise.SquareRoot())) { g in g * 0.5 / sqrt(x) }
}

/// x², elementwise.
public func square(_ x: Tensor) -> Tensor {
    Autodiff.unary(x, result: x.applying(Elementwise.Square())) { g in g * x * 2 }
}

/// xᵖ for a scalar exponent p, elementwise.
public func pow(_ x: Tensor, _ exponent: Float) -> Tensor {
    Autodiff.unary(x, result: x.applying(Elementwise.Power(exponent: exponent))) { g in
        // x⁰ is constant: p·x⁻¹ with p = 0 would give 0·∞ = NaN at x = 0 (and in the higher
        // derivatives of integer powers there).
        exponent == 0 ? g * 0 : g * pow(x, exponent - 1) * exponent
    }
}

/// |x|, elementwise; the gradient at 0 is 0.
public func abs(_ x: Tensor) -> Tensor {
    Autodiff.unary(x, result: x.applying(Elementwise.AbsoluteValue())) { g in g * x.applying(Elementwise.Sign()) }
}

/// The sign of x (−1, 0 or 1), elementwise; carries no gradient.
public func sign(_ x: Tensor) -> Tensor {
    x.applying(Elementwise.Sign())
}

/// The hyperbolic tangent, elementwise.
public func tanh(_ x: Tensor) -> Tensor {
    Autodiff.unary(x, result: x.applying(Elementwise.HyperbolicTangent())) { g in
        g * (1 - square(tanh(x)))
    }
}

/// The logistic sigmoid σ(x) = 1 / (1 + e⁻ˣ), elementwise.
public func sigmoid(_ x: Tensor) -> Tensor {
    Autodiff.unary(x, result: x.applying(Elementwise.Sigmoid())) { g in
        let s = sigmoid(x)
        return g * s * (1 - s)
    }
}

/// SiLU (swish) x·σ(x) of Elfwing et al. (2018), elementwise.
///
/// The first-order gradient is one fused kernel (`siluBackward`), itself differentiable.
public func silu(_ x: Tensor) -> Tensor {
    let y = x.applying(Elementwise.SiLU())
    guard x.isTracked, Autodiff.isRecording else { return y }
    // The backward keeps x alone and computes σ(x) again: a saved σ(x) would be one more
    // activation-sized buffer for every SiLU of a U-Net, alive until the backward reaches it.
    return Autodiff.unary(x, result: y) { g in
        guard Autodiff.isRecording else { return Tensor.siluBackwardValues(x, g) }
        return siluBackward(x, g)
    }
}

/// g·SiLU'(x), the gradient of `silu` at `x` for the output gradient `g`, in one pass.
///
/// ```
/// SiLU'(x) = σ(x)·(1 + x·(1 − σ(x)))      SiLU''(x) = σ'(x)·(2 + x·(1 − 2σ(x)))
/// ```
public func siluBackward(_ x: Tensor, _ g: Tensor) -> Tensor {
    let result = Tensor.combining(x, g, Elementwise.SiLUBackward())
    return Autodiff.binary(x, g, result: result) { upstream, needX, needG in
        let gx = needX ? (upstream * g * x.siluSecondDerivative()).reduced(toShape: x.shape) : nil
        let gg = needG ? siluBackward(x, upstream).reduced(toShape: g.shape) : nil
        return (gx, gg)
    }
}

extension Tensor {
    /// SiLU''(x), differentiable through a composite of σ.
    fileprivate func siluSecondDerivative() -> Tensor {
        guard isTracked, Autodiff.isRecording else { return applying(Elementwise.SiLUSecondDerivative()) }
        let s = sigmoid(self)
        return s * (1 - s) * (2 + self * (1 - 2 * s))
    }
}

/// softplus(x) = log(1 + eˣ), elementwise, without overflow.
public func softplus(_ x: Tensor) -> Tensor {
    Autodiff.unary(x, result: x.applying(Elementwise.Softplus())) { g in g * sigmoid(x) }
}

/// GELU x·Φ(x) with the exact normal CDF (Hendrycks & Gimpel 2016; PyTorch's default, not the tanh form).
public func gelu(_ x: Tensor) -> Tensor {
    Autodiff.unary(x, result: x.applying(Elementwise.GELU())) { g in
        guard x.isTracked, Autodiff.isRecording else { return g * x.applying(Elementwise.GELUDerivative()) }
        // Φ(x) + x·φ(x), with φ(x) = e^{−x²/2}/√(2π) and Φ' = φ.
        let phi = exp(square(x) * -0.5) * 0.398_942_28
        return g * (normalCDF(x) + x * phi)
    }
}

/// Φ(x), the standard normal CDF, elementwise.
public func normalCDF(_ x: Tensor) -> Tensor {
    Autodiff.unary(x, result: x.applying(Elementwise.NormalCDF())) { g in
        g * exp(square(x) * -0.5) * 0.398_942_28
    }
}

/// sin(x), elementwise.
public func sin(_ x: Tensor) -> Tensor {
    Autodiff.unary(x, result: x.applying(Elementwise.Sine())) { g in g * cos(x) }
}

/// cos(x), elementwise.
public func cos(_ x: Tensor) -> Tensor {
    Autodiff.unary(x, result: x.applying(Elementwise.Cosine())) { g in -(g * sin(x)) }
}

/// x limited to [lower, upper], elementwise; the gradient is 0 outside.
public func clamp(_ x: Tensor, min lower: Float, max upper: Float) -> Tensor {
    precondition(lower <= upper, "clamp bounds are reversed: min \(lower) > max \(upper)")
    return Autodiff.unary(x, result: x.applying(Elementwise.Clamp(lower: lower, upper: upper))) { g in
        g * x.applying(Elementwise.InsideInterval(lower: lower, upper: upper))
    }
}
