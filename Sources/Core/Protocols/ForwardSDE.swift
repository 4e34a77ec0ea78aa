import Foundation

/// A forward noising process of the affine-Gaussian family, `dx = f(x, t) dt + g(t) dW`.
///
/// ```
/// x_t = α(t)·x₀ + σ(t)·ε       f(x, t) = (α'/α)·x       g² = (σ²)' − 2(α'/α)σ²
/// reverse SDE   dx = [f − g²·∇log p_t] dt + g dW̄       (Anderson 1982; Song et al. 2021)
/// PF-ODE        dx/dt = f − ½g²·∇log p_t
/// ```
/// A conformer gives α, σ and their derivatives in closed form through `marginal(at:)`, its
/// time range (data at the small end, prior at the large end), and the inverse of the log-SNR;
/// everything else (drift, diffusion, prior, transitions) follows in this protocol's extension.
/// Conformers override the prior when theirs is not N(0, σ(T)²·I).
public protocol ForwardSDE: Sendable {
    /// [t_min, t_max]: data at `lowerBound` (ε for VP, σ_min for EDM), prior at `upperBound`.
    var timeRange: ClosedRange<Double> { get }

    /// α(t), σ(t), α'(t), σ'(t).
    func marginal(at time: Double) -> Marginal

    /// The time at which log(α²/σ²) equals `logSignalToNoiseRatio` (the inverse of λ(t)).
    func time(forLogSignalToNoiseRatio logSignalToNoiseRatio: Double) -> Double

    /// The standard deviation of the prior N(0, s²·I) that sampling starts from.
    var priorStandardDeviation: Double { get }
}

extension ForwardSDE {
    /// σ(T): the prior is N(0, σ(T)²·I), the marginal at T with the signal neglected.
    public var priorStandardDeviation: Double { marginal(at: timeRange.upperBound).noiseScale }

    /// f(x, t) = (α'/α)·x.
    public func drift(_ x: Tensor, at time: Double) -> Tensor {
        x * Float(marginal(at: time).driftCoefficient)
    }

    /// g(t).
    public func diffusionCoefficient(at time: Double) -> Double {
        marginal(at: time).diffusionSquared.squareRoot()
    }

    /// log N(x; 0, s²·I) summed over all but the first axis: one log-density per sample.
    public func priorLogDensity(_ x: Tensor) -> Tensor {
        let s = priorStandardDeviation
        let d = Double(x.scalarCount / Swift.max(x.shape.first ?? 1, 1))
        let perSample = x.reshaped([x.shape.first ?? 1, -1])
        let constant = Float(-0.5 * d * Foundation.log(2 * Double.pi * s * s))
        return square(perSample).sum(alongAxis: 1) * Float(-0.5 / (s * s)) + constant
    }

    /// The exact Gaussian transition of the forward process from time `start` to a later `end`:
    /// `x_end = a·x_start + b·z`, with a = α_end/α_start and b² = σ_end² − a²σ_start².
    ///
    /// This is what ancestral (DDPM, SMLD) steps invert through the posterior q(x_s | x_t, x₀).
    public func transition(from start: Double, to end: Double) -> (scale: Double, noiseScale: Double) {
        let ms = marginal(at: start)
        let me = marginal(at: end)
        let a = me.signalScale / ms.signalScale
        let variance = me.noiseScale * me.noiseScale - a * a * ms.noiseScale * ms.noiseScale
        return (a, Swift.max(variance, 0).squareRoot())
    }
}
