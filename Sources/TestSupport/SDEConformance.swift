import Foundation
public import ScoreKitCore

/// What `checkSDE(_:options:)` checks and how hard.
public struct SDECheckOptions: Sendable {
    /// Times checked, evenly spread over the interior of the time range.
    public var timeCount = 33
    /// Relative tolerance of derivatives against central finite differences, and of g² against
    /// the variance ODE.
    public var derivativeTolerance = 1e-5
    /// Tolerance of t(λ(t)) − t, relative to the length of the time range.
    public var inverseTolerance = 1e-9
    /// Samples of the Euler–Maruyama simulation; 0 skips it.
    public var monteCarloSampleCount = 0
    /// Euler–Maruyama steps to start from; doubled until EM's own bias is below `monteCarloMaximumBias`.
    public var monteCarloStepCount = 250
    /// The largest bias of the EM scheme itself, in standard errors, that the step count may leave.
    public var monteCarloMaximumBias = 0.5
    /// The simulation starts from the exact marginal where λ = log SNR is this (+2: SNR e²) …
    public var monteCarloStartLogSignalToNoiseRatio = 2.0
    /// … and runs until λ reaches this (−2: SNR e⁻²); both are clamped to the time range. The
    /// window is where the marginal changes most, away from the stiff end where α → 0.
    public var monteCarloEndLogSignalToNoiseRatio = -2.0
    /// Deviations beyond this many standard errors fail.
    public var monteCarloStandardErrors = 5.0
    /// The seed of the simulation's noise.
    public var seed: UInt64 = 0x5EED

    public init() {}
}

/// Checks the laws every `ForwardSDE` must satisfy, for ScoreKit's processes and plugins alike.
///
/// 1. The time range is finite with 0 ≤ t_min < t_max, and α > 0, σ > 0 inside it.
/// 2. α' and σ' agree with central finite differences of α and σ.
/// 3. g² ≥ 0 and g² = (σ²)' − 2(α'/α)σ² with finite-difference derivatives (the variance ODE).
/// 4. λ = log(α²/σ²) strictly decreases, and `time(forLogSignalToNoiseRatio:)` inverts it.
/// 5. Transitions have non-negative variance σ_t² − (α_t/α_s)²σ_s² for s < t.
/// 6. The prior is a finite N(0, s²·I) and `priorLogDensity` is its log-density.
/// 7. With `monteCarloSampleCount` > 0: Euler–Maruyama on dx = f dt + g dW, started from the
///    exact marginal of x₀ = 1.5 at λ = +2, reproduces the closed-form mean α·x₀ and variance σ²
///    at λ = −2 within `monteCarloStandardErrors` standard errors, with steps fine enough that
///    EM's own bias (computed exactly from its moment recursion) is below half a standard error.
public func checkSDE(_ sde: some ForwardSDE, options: SDECheckOptions = SDECheckOptions()) -> ConformanceReport {
    var report = ConformanceReport(subject: String(describing: type(of: sde)))
    let range = sde.timeRange
    let (low, high) = (range.lowerBound, range.upperBound)
    guard low.isFinite, high.isFinite, low >= 0, low < high else {
        report.fail("time range \(range) must be finite with 0 ≤ t_min < t_max")
        return report
    }
    let span = high - low
    let times = (0..<options.timeCount).map { low + (Double($0) + 0.5) / Double(options.timeCount) * span }
    var previousLambda = Double.infinity
    var previous: (time: Double, marginal: Marginal)?
    for t in times {
        let m = sde.marginal(at: t)
        let values = [m.signalScale, m.noiseScale, m.signalScaleDerivative, m.noiseScaleDerivative]
        guard values.allSatisfy(\.isFinite), m.signalScale > 0, m.noiseScale > 0 else {
            report.fail("marginal at t = \(t) is \(m): expected finite values with α > 0, σ > 0")
            continue
        }
        checkDerivatives(sde, at: t, span: span, tolerance: options.derivativeTolerance, into: &report)
        let lambda = m.logSignalToNoiseRatio
        if !(lambda < previousLambda) {
            report.fail("log-SNR does not decrease: λ(\(t)) = \(lambda) after \(previousLambda)")
        }
        previousLambda = lambda
        let inverse = sde.time(forLogSignalToNoiseRatio: lambda)
        let inverseError = Swift.abs(inverse - t) / span
        report.measure("inverse log-SNR error / range", inverseError)
        if !(inverseError <= options.inverseTolerance) {
            report.fail("time(forLogSignalToNoiseRatio: λ(\(t)) = \(lambda)) = \(inverse), expected \(t)")
        }
        if let (s, ms) = previous {
            let a = m.signalScale / ms.signalScale
            let variance = m.noiseScale * m.noiseScale - a * a * ms.noiseScale * ms.noiseScale
            if variance < -1e-12 * m.noiseScale * m.noiseScale {
                report.fail("transition \(s) → \(t) has negative variance \(variance): σ/α must not decrease")
            }
        }
        previous = (t, m)
    }
    checkPrior(sde, into: &report)
    if options.monteCarloSampleCount > 0 { checkMonteCarloMoments(sde, options: options, into: &report) }
    return report
}

/// Laws 2 and 3 at one time, retrying with a 1000× smaller step where a kink (piecewise
/// schedules) spoils the first difference.
private func checkDerivatives(
    _ sde: some ForwardSDE, at t: Double, span: Double, tolerance: Double, into report: inout ConformanceReport
) {
    let m = sde.marginal(at: t)
    func errors(step h: Double) -> (alpha: Double, sigma: Double, diffusion: Double) {
        let (mp, mm) = (sde.marginal(at: t + h), sde.marginal(at: t - h))
        let dAlpha = (mp.signalScale - mm.signalScale) / (2 * h)
        let dSigma = (mp.noiseScale - mm.noiseScale) / (2 * h)
        let dVariance = (mp.noiseScale * mp.noiseScale - mm.noiseScale * mm.noiseScale) / (2 * h)
        let g2 = dVariance - 2 * dAlpha / m.signalScale * m.noiseScale * m.noiseScale
        return (
            relativeError(m.signalScaleDerivative, dAlpha, scale: Swift.abs(m.signalScale) / span),
            relativeError(m.noiseScaleDerivative, dSigma, scale: m.noiseScale / span),
            relativeError(m.diffusionSquared, g2, scale: m.noiseScale * m.noiseScale / span)
        )
    }
    var e = errors(step: 1e-6 * span)
    if Swift.max(e.alpha, e.sigma, e.diffusion) > tolerance { e = errors(step: 1e-9 * span) }
    report.measure("α' relative error", e.alpha)
    report.measure("σ' relative error", e.sigma)
    report.measure("g² vs variance ODE relative error", e.diffusion)
    if e.alpha > tolerance { report.fail("α'(\(t)) = \(m.signalScaleDerivative) disagrees with α's finite difference") }
    if e.sigma > tolerance { report.fail("σ'(\(t)) = \(m.noiseScaleDerivative) disagrees with σ's finite difference") }
    if e.diffusion > tolerance {
        report.fail("g²(\(t)) = \(m.diffusionSquared) disagrees with (σ²)' − 2(α'/α)σ² from finite differences")
    }
    if m.diffusionSquared < 0 { report.fail("g²(\(t)) = \(m.diffusionSquared) is negative") }
}

/// |a − b| / max(|a|, |b|, floor).
func relativeError(_ a: Double, _ b: Double, scale floor: Double) -> Double {
    let scale = Swift.max(Swift.abs(a), Swift.abs(b), floor * 1e-3, .leastNormalMagnitude)
    return a.isFinite && b.isFinite ? Swift.abs(a - b) / scale : .infinity
}

/// Law 6.
private func checkPrior(_ sde: some ForwardSDE, into report: inout ConformanceReport) {
    let s = sde.priorStandardDeviation
    guard s > 0, s.isFinite else {
        report.fail("priorStandardDeviation = \(s): expected a finite number > 0")
        return
    }
    let x = Tensor([0, 1, -2, 0.5, 3, -1], shape: [2, 3])
    let got = sde.priorLogDensity(x).scalars.map(Double.init)
    let rows: [[Double]] = [[0, 1, -2], [0.5, 3, -1]]
    for (row, value) in zip(rows, got) {
        let expected = -0.5 * row.reduce(0) { $0 + $1 * $1 } / (s * s) - 1.5 * Foundation.log(2 * Double.pi * s * s)
        if relativeError(value, expected, scale: 1) > 1e-5 {
            report.fail("priorLogDensity(\(row)) = \(value), expected log N(x; 0, \(s)²·I) = \(expected)")
        }
    }
}
