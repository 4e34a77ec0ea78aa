import Foundation
public import ScoreKitCore

/// The linear interpolant of rectified flow and conditional flow matching (Liu et al. 2023;
/// Lipman et al. 2023, with σ_min = 0), with data at t = 0 and noise at t = 1.
///
/// ```
/// x_t = (1 − t)·x₀ + t·ε,   t ∈ [minimumTime, maximumTime]
/// α = 1 − t,   σ = t,   α' = −1,   σ' = 1,   u = dx_t/dt = ε − x₀
/// f = −x/(1 − t),   g² = 2t/(1 − t)
/// λ(t) = 2 log((1 − t)/t)   ⇔   t = sigmoid(−λ/2)
/// prior  N(0, I)
/// ```
/// The SDE with these marginals (Albergo & Vanden-Eijnden 2023; Kingma & Gao 2023) has drift
/// and diffusion that blow up at t = 1, where α = 0; the range therefore ends at
/// `maximumTime` < 1, and sampling starts from N(0, I) there (the signal α·x₀ = (1 − T)·x₀ is
/// neglected). Pair with the `flow-velocity` parameterization for the usual u-regression.
/// - Note: Rectified flow's code and SD3 put noise at t = 0 or 1 depending on the version;
///   ScoreKit's convention is data at the small end (STYLE.md §8), so its t is theirs or 1 − theirs.
public struct LinearInterpolantSDE: ForwardSDE {
    public let configuration: Configuration

    /// The process with the defaults t ∈ [1e-5, 0.999].
    public init() { configuration = Configuration() }

    /// The process of `configuration`, validated.
    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public var timeRange: ClosedRange<Double> { configuration.minimumTime...configuration.maximumTime }

    public func marginal(at time: Double) -> Marginal {
        Marginal(signalScale: 1 - time, noiseScale: time, signalScaleDerivative: -1, noiseScaleDerivative: 1)
    }

    public func time(forLogSignalToNoiseRatio logSignalToNoiseRatio: Double) -> Double {
        sigmoid(-0.5 * logSignalToNoiseRatio)
    }

    /// 1: the prior is N(0, I), as in flow matching.
    public var priorStandardDeviation: Double { 1 }
}
