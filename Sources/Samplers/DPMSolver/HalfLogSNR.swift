import Foundation
import ScoreKitCore

// DPM-Solver's λ is log(α/σ), half of Core's λ = log(α²/σ²); these helpers keep the factor 2
// in one place.

extension Marginal {
    /// λ_DPM = log(α/σ) = ½·log SNR: the variable of DPM-Solver (Lu et al. 2022), whose step is
    /// h = λ_DPM(t_{i+1}) − λ_DPM(t_i).
    var halfLogSignalToNoiseRatio: Double { 0.5 * logSignalToNoiseRatio }
}

extension ForwardSDE {
    /// The time at which log(α/σ) = `value` (DPM-Solver's inverse λ → t).
    func time(forHalfLogSignalToNoiseRatio value: Double) -> Double {
        time(forLogSignalToNoiseRatio: 2 * value)
    }
}

/// (eˣ − 1)/x − 1 without cancellation for small x.
func expm1OverXMinusOne(_ x: Double) -> Double {
    Swift.abs(x) < 1e-4 ? x / 2 + x * x / 6 : Foundation.expm1(x) / x - 1
}
