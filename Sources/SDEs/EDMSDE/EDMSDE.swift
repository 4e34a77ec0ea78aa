import Foundation
public import ScoreKitCore

/// The forward process of EDM (Karras et al. 2022, Table 1 "Ours"): time is the noise level.
///
/// ```
/// x_t = x₀ + t·ε,   t = σ ∈ [sigmaMin, sigmaMax]
/// α = 1,   σ(t) = t,   α' = 0,   σ' = 1,   f = 0,   g² = 2t
/// λ(t) = −2 log t   ⇔   t = e^(−λ/2)
/// prior  N(0, sigmaMax²·I)
/// ```
/// The variance-exploding process with the linear σ(t) = t of Karras et al., whose PF-ODE is
/// dx/dσ = (x − D(x; σ))/σ (their eq. 3 with s = 1). Pair it with the `edm` parameterization,
/// which holds σ_data, and the `karras` time grid (ρ = 7, 18 steps, final step to σ = 0).
/// - Note: Matches the `sigma_min`/`sigma_max` defaults (0.002, 80) of `EDMPrecond` and
///   `edm_sampler` in the EDM code; the prior is their `latents · sigma_max`.
public struct EDMSDE: ForwardSDE {
    public let configuration: Configuration

    /// The process with the defaults σ ∈ [0.002, 80].
    public init() { configuration = Configuration() }

    /// The process of `configuration`, validated.
    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public var timeRange: ClosedRange<Double> { configuration.sigmaMin...configuration.sigmaMax }

    public func marginal(at time: Double) -> Marginal {
        Marginal(signalScale: 1, noiseScale: time, signalScaleDerivative: 0, noiseScaleDerivative: 1)
    }

    public func time(forLogSignalToNoiseRatio logSignalToNoiseRatio: Double) -> Double {
        Foundation.exp(-0.5 * logSignalToNoiseRatio)
    }
}
