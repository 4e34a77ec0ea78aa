import Foundation
public import ScoreKitCore

/// The variance-exploding SDE of Song et al. (2021), eq. 9: the continuous limit of NCSN's
/// geometric noise levels (Song & Ermon 2019).
///
/// ```
/// dx = √(d[σ²]/dt) dW,   σ(t) = sigmaMin·(sigmaMax/sigmaMin)ᵗ,   t ∈ [minimumTime, 1]
/// α = 1,   α' = 0,   σ' = σ·log(sigmaMax/sigmaMin),   f = 0,   g² = 2σ²·log(sigmaMax/sigmaMin)
/// λ(t) = −2 log σ(t)   ⇔   t = (−½λ − log sigmaMin)/log(sigmaMax/sigmaMin)
/// prior  N(0, sigmaMax²·I)
/// ```
/// As in the reference code, σ(0) = sigmaMin by default (`marginal: scoreSDE`): the data at
/// t = 0 is already convolved with N(0, sigmaMin²), and a final denoising step (time grid
/// `finalStep: toZero`) removes it. `marginal: exact` takes the SDE's own marginal from the data
/// at t = 0 instead:
///
/// ```
/// s(t)² = σ(t)² − sigmaMin² = sigmaMin²·expm1(2t·log(sigmaMax/sigmaMin)),   s' = σ(t)²·log(sigmaMax/sigmaMin)/s
/// λ(t) = −2 log s(t)   ⇔   t = log1p(e^{−λ}/sigmaMin²)/(2·log(sigmaMax/sigmaMin))
/// ```
/// with the same g², so both describe the same SDE; they differ in the data's noise at t = 0.
/// SMLD's ancestral step is `posterior(at:given:)` between two noise levels.
///
/// With sigmaMin = sigmaMax = σ the process has one noise level: x_t = x₀ + σε at every t, g = 0,
/// and λ(t) = −2 log σ is constant; `time(forLogSignalToNoiseRatio:)` then returns the data end
/// for λ ≥ −2 log σ and T for a noisier λ. Only samplers that stay at each grid time (Langevin
/// dynamics, `StationarySampler`) sample such a process; the probability-flow ODE does not move.
/// - Note: Matches `VESDE` of the score_sde code (`marginal_prob`, `sde`, `prior_sampling`);
///   its defaults there are sigmaMin 0.01, sigmaMax 50 (CIFAR-10) and `eps` 1e-5.
public struct VarianceExplodingSDE: ForwardSDE {
    public let configuration: Configuration

    /// The process with the defaults σ ∈ [0.01, 50], t ∈ [1e-5, 1].
    public init() { configuration = Configuration() }

    /// The process of `configuration`, validated.
    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public var timeRange: ClosedRange<Double> { configuration.minimumTime...1 }

    /// log(sigmaMax/sigmaMin).
    var logRatio: Double { Foundation.log(configuration.sigmaMax / configuration.sigmaMin) }

    public func marginal(at time: Double) -> Marginal {
        let sigma = configuration.sigmaMin * Foundation.exp(time * logRatio)
        switch configuration.marginal {
        case .scoreSDE:
            return Marginal(
                signalScale: 1, noiseScale: sigma, signalScaleDerivative: 0, noiseScaleDerivative: sigma * logRatio)
        case .exact:
            let s = configuration.sigmaMin * Foundation.expm1(2 * time * logRatio).squareRoot()
            return Marginal(
                signalScale: 1, noiseScale: s, signalScaleDerivative: 0,
                noiseScaleDerivative: sigma * sigma * logRatio / s)
        }
    }

    /// Whether sigmaMin = sigmaMax: one noise level at every time.
    private var hasSingleNoiseLevel: Bool { configuration.sigmaMin == configuration.sigmaMax }

    public func time(forLogSignalToNoiseRatio logSignalToNoiseRatio: Double) -> Double {
        let sigmaMin = configuration.sigmaMin
        guard !hasSingleNoiseLevel else {
            // λ is constant: every time has it, and no time has another.
            return logSignalToNoiseRatio >= -2 * Foundation.log(sigmaMin) ? timeRange.lowerBound : timeRange.upperBound
        }
        switch configuration.marginal {
        case .scoreSDE:
            return (-0.5 * logSignalToNoiseRatio - Foundation.log(sigmaMin)) / logRatio
        case .exact:
            return Foundation.log1p(Foundation.exp(-logSignalToNoiseRatio) / (sigmaMin * sigmaMin)) / (2 * logRatio)
        }
    }
}
