import Foundation
import ScoreKitCore

/// Law 7 of `checkSDE`: Euler–Maruyama (Kloeden & Platen 1992, §9.1) on the forward SDE
///
/// ```
/// x_{n+1} = x_n + f(x_n, t_n)·Δt + g(t_n)·√Δt·z_n,   z_n ~ N(0, 1),   x_0 ~ N(α(t_a)·x₀, σ(t_a)²)
/// ```
/// in one dimension from t_a = t(λ_start) to t_b = t(λ_end), compared with the closed form
/// N(α(t_b)·x₀, σ(t_b)²). Standard errors: σ_b/√N for the mean and σ_b²·√(2/(N − 1)) for the
/// variance. The EM moment recursion m ← (1 + f̄Δt)m, v ← (1 + f̄Δt)²v + g²Δt (f̄ = α'/α) gives
/// the scheme's own O(Δt) bias exactly; the step count is doubled (up to 64×) until that bias is
/// below `monteCarloMaximumBias` standard errors, so a failure is the process's, not the step's.
func checkMonteCarloMoments(_ sde: some ForwardSDE, options: SDECheckOptions, into report: inout ConformanceReport) {
    let data = 1.5
    let range = sde.timeRange
    func clamped(_ t: Double) -> Double { Swift.min(Swift.max(t, range.lowerBound), range.upperBound) }
    let start = clamped(sde.time(forLogSignalToNoiseRatio: options.monteCarloStartLogSignalToNoiseRatio))
    let end = clamped(sde.time(forLogSignalToNoiseRatio: options.monteCarloEndLogSignalToNoiseRatio))
    guard start < end else {
        report.fail(
            "the Monte Carlo window λ ∈ [\(options.monteCarloEndLogSignalToNoiseRatio), "
                + "\(options.monteCarloStartLogSignalToNoiseRatio)] is empty on \(range)"
        )
        return
    }
    let first = sde.marginal(at: start)
    let last = sde.marginal(at: end)
    let count = options.monteCarloSampleCount
    let n = Double(count)
    let expectedMean = last.signalScale * data
    let expectedVariance = last.noiseScale * last.noiseScale
    let meanError = last.noiseScale / n.squareRoot()
    let varianceError = expectedVariance * (2 / (n - 1)).squareRoot()

    // Per-step factors x ← a_n·x + b_n·z, refined until EM's own bias is small.
    var steps = options.monteCarloStepCount
    var scale: [Double] = []
    var kick: [Double] = []
    var bias = (mean: 0.0, variance: 0.0)
    while true {
        let dt = (end - start) / Double(steps)
        scale = []
        kick = []
        var (m, v) = (first.signalScale * data, first.noiseScale * first.noiseScale)
        for i in 0..<steps {
            let marginal = sde.marginal(at: start + Double(i) * dt)
            scale.append(1 + marginal.driftCoefficient * dt)
            kick.append((Swift.max(marginal.diffusionSquared, 0) * dt).squareRoot())
            m *= scale[i]
            v = scale[i] * scale[i] * v + kick[i] * kick[i]
        }
        bias = ((m - expectedMean) / meanError, (v - expectedVariance) / varianceError)
        if Swift.max(Swift.abs(bias.mean), Swift.abs(bias.variance)) <= options.monteCarloMaximumBias
            || steps >= 64 * options.monteCarloStepCount
        {
            break
        }
        steps *= 2
    }

    var random = CheckRandom(seed: options.seed)
    var sum = 0.0
    var sumSquares = 0.0
    var normals = [Double](repeating: 0, count: steps + 1)
    scale.withUnsafeBufferPointer { a in
        kick.withUnsafeBufferPointer { b in
            normals.withUnsafeMutableBufferPointer { z in
                for _ in 0..<count {
                    random.fillNormal(z)
                    var x = first.signalScale * data + first.noiseScale * z[steps]
                    for i in 0..<steps { x = a[i] * x + b[i] * z[i] }
                    sum += x
                    sumSquares += x * x
                }
            }
        }
    }
    let mean = sum / n
    let variance = (sumSquares - n * mean * mean) / (n - 1)
    let meanDeviation = (mean - expectedMean) / meanError
    let varianceDeviation = (variance - expectedVariance) / varianceError
    report.measurements["monte carlo window"] = end - start
    report.measurements["monte carlo step count"] = Double(steps)
    report.measurements["monte carlo mean deviation (standard errors)"] = meanDeviation
    report.measurements["monte carlo variance deviation (standard errors)"] = varianceDeviation
    report.measurements["monte carlo variance relative error"] = (variance - expectedVariance) / expectedVariance
    report.measurements["euler-maruyama mean bias (standard errors)"] = bias.mean
    report.measurements["euler-maruyama variance bias (standard errors)"] = bias.variance
    let hint = "EM's own bias at \(steps) steps: \(conformanceFormat(bias.variance)) standard errors"
    if !(Swift.abs(meanDeviation) <= options.monteCarloStandardErrors) {
        report.fail(
            "EM mean at t = \(end) is \(mean), closed form α·x₀ = \(expectedMean) "
                + "(\(conformanceFormat(meanDeviation)) standard errors; \(hint))"
        )
    }
    if !(Swift.abs(varianceDeviation) <= options.monteCarloStandardErrors) {
        report.fail(
            "EM variance at t = \(end) is \(variance), closed form σ² = \(expectedVariance) "
                + "(\(conformanceFormat(varianceDeviation)) standard errors; \(hint))"
        )
    }
}
