import Foundation

/// The linear noise rate β(t) = β_min + t(β_max − β_min) of the VP and sub-VP SDEs, its
/// integral and the integral's inverse, all in closed form.
///
/// ```
/// B(t) = ∫₀ᵗ β(s) ds = β_min·t + ½(β_max − β_min)·t²
/// t(B) = 2B / (β_min + √(β_min² + 2(β_max − β_min)·B))      (the root t ≥ 0, cancellation-free)
/// ```
struct LinearNoiseRate: Sendable, Equatable {
    let betaMin: Double
    let betaMax: Double

    /// β(t).
    func rate(at t: Double) -> Double { betaMin + t * (betaMax - betaMin) }

    /// B(t) = ∫₀ᵗ β.
    func integral(at t: Double) -> Double { betaMin * t + 0.5 * (betaMax - betaMin) * t * t }

    /// The t ≥ 0 with B(t) = `integral`.
    func time(forIntegral integral: Double) -> Double {
        guard integral > 0 else { return 0 }
        guard integral.isFinite else { return .infinity }
        return 2 * integral / (betaMin + (betaMin * betaMin + 2 * (betaMax - betaMin) * integral).squareRoot())
    }
}

/// log(1 + eˣ) without overflow (softplus).
func logOnePlusExp(_ x: Double) -> Double {
    x > 30 ? x + Foundation.log1p(Foundation.exp(-x)) : Foundation.log1p(Foundation.exp(x))
}

/// 1/(1 + e⁻ˣ) (the logistic sigmoid), exact at both tails.
func sigmoid(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
}
