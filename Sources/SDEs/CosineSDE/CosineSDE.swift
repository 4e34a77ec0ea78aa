import Foundation
public import ScoreKitCore

/// The cosine schedule of improved DDPM (Nichol & Dhariwal 2021, eq. 17) as a continuous-time
/// variance-preserving process.
///
/// ```
/// α(t) = cos θ(t) / cos θ(0),   θ(t) = (π/2)·(t + s)/(1 + s),   s = offset,   t ∈ [minimumTime, maximumTime]
/// σ(t) = √(1 − α²) = √(sin(θ − θ₀)·sin(θ + θ₀)) / cos θ₀       (no cancellation near t = 0)
/// α' = −(π/2)/(1 + s)·sin θ / cos θ₀,   σ' = −α·α'/σ,   f = (α'/α)·x,   g² = −2(α'/α) = (π/(1 + s))·tan θ
/// λ → t:  α² = sigmoid(λ),  σ² = sigmoid(−λ),  θ = atan2(√(σ² + α² sin²θ₀), α cos θ₀),  t = θ(1 + s)/(π/2) − s
/// prior  N(0, I)
/// ```
/// α(1) = 0, where the drift and g² are infinite; the range therefore stops at `maximumTime`
/// (0.9946 as in DPM-Solver's `NoiseScheduleVP('cosine')`). improved-diffusion instead clips
/// the discrete β at 0.999: that is `DiscreteDDPMSDE` with `betaSchedule: cosine`.
public struct CosineSDE: ForwardSDE {
    public let configuration: Configuration
    /// θ₀ = (π/2)·s/(1 + s).
    let startAngle: Double

    /// The process with the defaults s = 0.008, t ∈ [1e-5, 0.9946].
    public init() {
        configuration = Configuration()
        startAngle = Self.angle(at: 0, offset: configuration.offset)
    }

    /// The process of `configuration`, validated.
    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        startAngle = Self.angle(at: 0, offset: configuration.offset)
    }

    public var timeRange: ClosedRange<Double> { configuration.minimumTime...configuration.maximumTime }

    static func angle(at time: Double, offset: Double) -> Double { 0.5 * Double.pi * (time + offset) / (1 + offset) }

    public func marginal(at time: Double) -> Marginal {
        let theta = Self.angle(at: time, offset: configuration.offset)
        let c0 = Foundation.cos(startAngle)
        let alpha = Foundation.cos(theta) / c0
        let sigma =
            Swift.max(Foundation.sin(theta - startAngle) * Foundation.sin(theta + startAngle), 0).squareRoot() / c0
        let dAlpha = -0.5 * Double.pi / (1 + configuration.offset) * Foundation.sin(theta) / c0
        return Marginal(
            signalScale: alpha, noiseScale: sigma, signalScaleDerivative: dAlpha,
            noiseScaleDerivative: -alpha * dAlpha / sigma)
    }

    public func time(forLogSignalToNoiseRatio logSignalToNoiseRatio: Double) -> Double {
        let alpha2 = sigmoid(logSignalToNoiseRatio)
        let sigma2 = sigmoid(-logSignalToNoiseRatio)
        let s0 = Foundation.sin(startAngle)
        let theta = Foundation.atan2(
            (sigma2 + alpha2 * s0 * s0).squareRoot(), alpha2.squareRoot() * Foundation.cos(startAngle))
        return theta * (1 + configuration.offset) / (0.5 * Double.pi) - configuration.offset
    }

    /// 1: the prior is N(0, I).
    public var priorStandardDeviation: Double { 1 }
}
