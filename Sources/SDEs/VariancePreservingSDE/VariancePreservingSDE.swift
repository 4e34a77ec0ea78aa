import Foundation
public import ScoreKitCore

/// The variance-preserving SDE of Song et al. (2021), eq. 11, with a linear noise rate.
///
/// ```
/// dx = −½β(t)·x dt + √β(t) dW,     β(t) = betaMin + t·(betaMax − betaMin),   t ∈ [minimumTime, 1]
/// α(t) = exp(−½B(t)),   B(t) = ∫₀ᵗ β = betaMin·t + ½(betaMax − betaMin)·t²
/// σ(t) = √(1 − α²),     α' = −½β·α,   σ' = ½β·α²/σ,   f = −½β·x,   g² = β
/// λ(t) = log(α²/σ²) = −log(e^B − 1)   ⇔   B = log(1 + e^(−λ)),  t = 2B/(β_min + √(β_min² + 2(β_max − β_min)B))
/// prior  N(0, I)
/// ```
/// The continuous-time limit of DDPM (Ho et al. 2020) with β_i = β(i/N)/N; α² is DDPM's ᾱ
/// (`alphas_cumprod`). Not the sub-VP SDE of the same paper (`SubVariancePreservingSDE`), nor
/// the discrete chain (`DiscreteDDPMSDE`).
/// - Note: Matches `VPSDE` of the score_sde code (`marginal_prob`, `sde`, `prior_sampling`)
///   for the same β range; `minimumTime` is its training `eps` (1e-5).
public struct VariancePreservingSDE: ForwardSDE {
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

    /// β(t), the noise rate: g(t)² = β(t).
    public func noiseRate(at time: Double) -> Double { rate.rate(at: time) }

    public func marginal(at time: Double) -> Marginal {
        let integral = rate.integral(at: time)
        let beta = rate.rate(at: time)
        let alpha = Foundation.exp(-0.5 * integral)
        let sigma = (-Foundation.expm1(-integral)).squareRoot()
        return Marginal(
            signalScale: alpha, noiseScale: sigma,
            signalScaleDerivative: -0.5 * beta * alpha,
            noiseScaleDerivative: 0.5 * beta * alpha * alpha / sigma)
    }

    public func time(forLogSignalToNoiseRatio logSignalToNoiseRatio: Double) -> Double {
        rate.time(forIntegral: logOnePlusExp(-logSignalToNoiseRatio))
    }

    /// 1: the prior is N(0, I), as score_sde's `VPSDE.prior_sampling`.
    public var priorStandardDeviation: Double { 1 }
}
