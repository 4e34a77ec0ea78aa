import Foundation

/// The Gaussian marginal of an affine forward process at one time, with its time derivatives.
///
/// ```
/// x_t = α(t)·x₀ + σ(t)·ε,   ε ~ N(0, I)
/// f(x, t) = (α'/α)·x                 drift
/// g(t)²   = (σ²)' − 2·(α'/α)·σ²      squared diffusion
/// λ(t)    = log(α²/σ²)               log signal-to-noise ratio
/// ```
/// Every process ScoreKit ships (VP, sub-VP, VE, cosine, EDM, the flow-matching interpolant,
/// discrete DDPM) is of this form (DESIGN.md, "The one forward process").
public struct Marginal: Sendable, Equatable {
    /// α(t), the factor on the data ("√ᾱ", `sqrt(alphas_cumprod)` in DDPM code).
    public var signalScale: Double
    /// σ(t), the standard deviation of the added noise.
    public var noiseScale: Double
    /// α'(t) = dα/dt.
    public var signalScaleDerivative: Double
    /// σ'(t) = dσ/dt.
    public var noiseScaleDerivative: Double

    public init(signalScale: Double, noiseScale: Double, signalScaleDerivative: Double, noiseScaleDerivative: Double) {
        self.signalScale = signalScale
        self.noiseScale = noiseScale
        self.signalScaleDerivative = signalScaleDerivative
        self.noiseScaleDerivative = noiseScaleDerivative
    }

    /// σ/α, EDM's σ: the noise level of x_t/α.
    public var noiseLevel: Double { noiseScale / signalScale }

    /// λ = log(α²/σ²).
    public var logSignalToNoiseRatio: Double { 2 * (Foundation.log(signalScale) - Foundation.log(noiseScale)) }

    /// α'/α, the drift coefficient: f(x, t) = (α'/α)·x.
    public var driftCoefficient: Double { signalScaleDerivative / signalScale }

    /// g(t)² = 2σσ' − 2(α'/α)σ².
    public var diffusionSquared: Double {
        2 * noiseScale * noiseScaleDerivative - 2 * driftCoefficient * noiseScale * noiseScale
    }
}
