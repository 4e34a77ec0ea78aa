/// The conversions every parameterization gets from its coefficients alone (STYLE.md §1.3).
///
/// ```
/// x̂₀ = c_skip·x + c_out·F                  F: the network's output at input c_in·x
/// F  = (x̂₀ − c_skip·x)/c_out               the output that gives x̂₀
/// F* = [(1 − c_skip·α)·x₀ − c_skip·σ·ε]/c_out   the training target at x = α·x₀ + σ·ε
/// ```
/// Any other prediction (ε, score, v, u) is `Prediction.value(fromDenoised:noisy:marginal:)` of
/// x̂₀: one pivot, no pairwise table.
extension Parameterization {
    /// x̂₀ from the network output `output` at the noisy sample `x` (not scaled by c_in).
    public func denoised(fromOutput output: Tensor, noisy x: Tensor, marginal: Marginal) -> Tensor {
        let c = preconditioning(for: marginal)
        return x * Float(c.skipScale) + output * Float(c.outputScale)
    }

    /// The network output that this parameterization turns into `denoised` at `x`.
    public func output(fromDenoised denoised: Tensor, noisy x: Tensor, marginal: Marginal) -> Tensor {
        let c = preconditioning(for: marginal)
        return (denoised - x * Float(c.skipScale)) * Float(1 / c.outputScale)
    }

    /// `prediction` (ε, score, x₀, v or u) from the network output at `x`, through x̂₀.
    public func value(
        _ prediction: Prediction, fromOutput output: Tensor, noisy x: Tensor, marginal: Marginal
    ) -> Tensor {
        prediction.value(
            fromDenoised: denoised(fromOutput: output, noisy: x, marginal: marginal), noisy: x, marginal: marginal)
    }

    /// The regression target F* for clean data `data` noised with `noise` at `marginal`:
    /// the output that makes x̂₀ = x₀ exactly, as an exact combination of x₀ and ε.
    public func trainingTarget(data: Tensor, noise: Tensor, marginal m: Marginal) -> Tensor {
        let c = preconditioning(for: m)
        let dataScale = (1 - c.skipScale * m.signalScale) / c.outputScale
        let noiseScale = -c.skipScale * m.noiseScale / c.outputScale
        return data * Float(dataScale) + noise * Float(noiseScale)
    }
}
