import Foundation
public import ScoreKitCore

/// The sub-VP SDE of Song et al. (2021), eq. 29: the VP drift with a smaller diffusion, so
/// that its marginal variance stays below the VP one.
///
/// ```
/// dx = −½β(t)·x dt + √(β(t)(1 − e^(−2B(t)))) dW,   β, B as in the VP SDE,   t ∈ [minimumTime, 1]
/// α(t) = exp(−½B),   σ(t) = 1 − α²,   α' = −½β·α,   σ' = β·α²,   g² = β·(1 − α⁴)
/// λ(t) = log(α²/(1 − α²)²);   with r = e^λ:  α² = 2r/(2r + 1 + √(4r + 1)),  B = −log α²
/// prior  N(0, I)
/// ```
/// The likelihood of sub-VP models is better than VP ones in the paper (Table 2). Not the VP
/// SDE: same α, but σ = 1 − α² instead of √(1 − α²).
/// - Note: Matches `subVPSDE` of the score_sde code (`marginal_prob` std = 1 − e^(2·log_mean_coeff)).
public struct SubVariancePreservingSDE: ForwardSDE {
    public let configuration: Configuration
    let rate: LinearNoiseRate

    /// The process with the defaults β ∈ [0.1, 20], t ∈ [1e-5, 1].
    public init() {
        configuration = Configuration()
        rate = LinearNoiseRate(betaMin: configuration.betaMin, betaMax: configuration.betaMax)
    }

    /// The process of `configuration`, validated.
    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        rate = LinearNoiseRate(betaMin: configuration.betaMin, betaMax: configuration.betaMax)
    }

    public var timeRange: ClosedRange<Double> { configuration.minimumTime...1 }

    /// β(t), the VP noise rate; g(t)² = β(t)·(1 − α(t)⁴).
    public func noiseRate(at time: Double) -> Double { rate.rate(at: time) }

    public func marginal(at time: Double) -> Marginal {
        let integral = rate.integral(at: time)
        let beta = rate.rate(at: time)
        let alpha = Foundation.exp(-0.5 * integral)
        return Marginal(
            signalScale: alpha, noiseScale: -Foundation.expm1(-integral),
            signalScaleDerivative: -0.5 * beta * alpha,
            noiseScaleDerivative: beta * alpha * alpha)
    }

    public func time(forLogSignalToNoiseRatio logSignalToNoiseRatio: Double) -> Double {
        // α²/(1 − α²)² = r is a quadratic in a = α²; its root below 1 is 2r/(2r + 1 + √(4r + 1)),
        // so B = −log a = log((2r + 1 + √(4r + 1))/(2r)), written to survive r → 0 and r → ∞.
        let lambda = logSignalToNoiseRatio
        let integral: Double
        if lambda > 0 {
            let q = Foundation.exp(-lambda)  // 1/r
            integral = Foundation.log1p(0.5 * (q + (4 * q + q * q).squareRoot()))
        } else {
            let r = Foundation.exp(lambda)
            integral = Foundation.log(2 * r + 1 + (4 * r + 1).squareRoot()) - Foundation.log(2.0) - lambda
        }
        return rate.time(forIntegral: integral)
    }

    /// 1: the prior is N(0, I), as score_sde's `subVPSDE.prior_sampling`.
    public var priorStandardDeviation: Double { 1 }
}
