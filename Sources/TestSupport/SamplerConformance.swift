import Foundation
public import ScoreKitCore

/// What `checkSampler(_:sde:options:)` checks and how hard.
public struct SamplerCheckOptions: Sendable {
    /// Samples per run (the batch-size law splits them into chunks of 1 and the rest).
    public var sampleCount = 7
    /// Steps of the grid for the shape, determinism, batch and count laws.
    public var stepCount = 12
    /// Where grids end (raised to the process's t_min): the data end before an optional step to 0.
    public var endTime = 1e-3
    /// The seed of every run.
    public var seed: UInt64 = 0x5A3
    /// Step counts of the order measurement, on grids uniform in log-SNR; empty skips it.
    public var orderStepCounts = [8, 16, 32, 64]
    /// How far below `order` the measured order may fall.
    public var orderTolerance = 0.3
    /// Errors below this (RMS; the stand-in's data have scale ~2) are at the Float32 round-off
    /// floor (2e-7 to 5e-7 here) and not used.
    public var orderErrorFloor = 2e-6

    /// The stand-in model's mixture.
    public var mixture = CheckMixture.isotropic

    public init() {}
}

/// The mixtures `checkSampler` can run on (`MixtureDenoiser`).
public enum CheckMixture: String, Sendable, CaseIterable {
    /// Three equal-weight isotropic components.
    case isotropic
    /// Unequal weights, anisotropic covariances, two of them correlated (`MixtureDenoiser.correlated`).
    case correlated
}

/// Checks the laws every `Sampler` must satisfy, on a closed-form stand-in model (a Gaussian
/// mixture whose x̂₀ is exact, `MixtureDenoiser`, isotropic or correlated: `options.mixture`) under `sde`.
///
/// 1. Output shape equals input shape, for `[N, 2]` and `[N, 1, 2]` batches, and values are finite.
/// 2. Seeded determinism: the same seed gives bit-identical samples.
/// 3. Batch-size invariance: samples drawn together and one or several at a time (each chunk's
///    `PerSampleNoise` starting at its first sample's index) are bit-identical.
/// 4. Exact accounting: the evaluations counted at the process equal `evaluationCount(forTimes:)`,
///    on a grid ending at t > 0 (where it is `evaluationCount(forStepCount:)`) and on one whose
///    last step goes to t = 0; `stepCount(forEvaluationBudget:)` is the largest count that fits.
/// 5. When `order` is not `nil`: the RMS error against a Double RK4 reference of the
///    probability-flow ODE falls with the step count at least at the stated order: the slope of
///    log error against log N between the two finest step counts whose error is above the floor
///    is ≥ `order` − `orderTolerance`, and ≤ `order` + 2 (a claim far too low is a bug too).
///    Faster than `order` is allowed, since methods often converge faster before the asymptotic
///    regime (RK45 shows 6.7 between 8 and 16 steps on VE here, before its floor).
public func checkSampler(
    _ sampler: some Sampler, sde: some ForwardSDE, options: SamplerCheckOptions = SamplerCheckOptions()
) -> ConformanceReport {
    var report = ConformanceReport(subject: String(describing: type(of: sampler)))
    let process = options.mixture == .isotropic ? MixtureDenoiser(sde: sde) : .correlated(sde: sde)
    let times = uniformGrid(sde, steps: options.stepCount, endTime: options.endTime, toZero: false)
    let zeroTimes = uniformGrid(sde, steps: options.stepCount, endTime: options.endTime, toZero: true)
    do {
        let whole = try run(sampler, process, times, shape: [options.sampleCount, 2], first: 0, seed: options.seed)
        let again = try run(sampler, process, times, shape: [options.sampleCount, 2], first: 0, seed: options.seed)
        if whole.samples.shape != [options.sampleCount, 2] || !whole.samples.isFinite {
            report.fail(
                "a [\(options.sampleCount), 2] batch gave shape \(whole.samples.shape), finite: \(whole.samples.isFinite)"
            )
        }
        if whole.samples.scalars != again.samples.scalars { report.fail("the same seed gave different samples") }
        let ranked = try run(sampler, process, times, shape: [options.sampleCount, 1, 2], first: 0, seed: options.seed)
        if ranked.samples.shape != [options.sampleCount, 1, 2] {
            report.fail("a [\(options.sampleCount), 1, 2] batch gave shape \(ranked.samples.shape)")
        }
        var pieces: [Tensor] = []
        var first = 0
        for size in [1, options.sampleCount - 1] where size > 0 {
            pieces.append(try run(sampler, process, times, shape: [size, 2], first: first, seed: options.seed).samples)
            first += size
        }
        if Tensor.concatenate(pieces, alongAxis: 0).scalars != whole.samples.scalars {
            report.fail(
                "samples drawn 1 and \(options.sampleCount - 1) at a time differ from a batch of \(options.sampleCount)"
            )
        }
        let expected = sampler.evaluationCount(forStepCount: options.stepCount)
        report.measure("evaluations for \(options.stepCount) steps", Double(whole.evaluationCount))
        if whole.evaluationCount != expected || sampler.evaluationCount(forTimes: times) != expected {
            report.fail(
                "\(options.stepCount) steps made \(whole.evaluationCount) evaluations; evaluationCount(forStepCount:) says \(expected)"
            )
        }
        let zero = try run(sampler, process, zeroTimes, shape: [options.sampleCount, 2], first: 0, seed: options.seed)
        if zero.evaluationCount != sampler.evaluationCount(forTimes: zeroTimes) {
            report.fail(
                "\(options.stepCount) steps ending at t = 0 made \(zero.evaluationCount) evaluations; "
                    + "evaluationCount(forTimes:) says \(sampler.evaluationCount(forTimes: zeroTimes))")
        }
    } catch {
        report.fail("sampling failed: \(error)")
        return report
    }
    checkBudgets(sampler, into: &report)
    if let order = sampler.order, !options.orderStepCounts.isEmpty {
        checkOrder(sampler, order: order, process: process, options: options, into: &report)
    }
    return report
}

/// Law 4's budget half: for each budget, the chosen step count fits and one more does not.
private func checkBudgets(_ sampler: some Sampler, into report: inout ConformanceReport) {
    for endingAtZero in [false, true] {
        for budget in 1...40 {
            guard let steps = sampler.stepCount(forEvaluationBudget: budget, endingAtZero: endingAtZero) else {
                continue
            }
            let cost = { (n: Int) in
                sampler.evaluationCount(
                    forTimes: (0...n).map { endingAtZero && $0 == n ? 0 : 1 - Double($0) / Double(n + 1) })
            }
            if cost(steps) > budget || cost(steps + 1) <= budget {
                report.fail(
                    "stepCount(forEvaluationBudget: \(budget), endingAtZero: \(endingAtZero)) = \(steps) is not the most that fit"
                )
                return
            }
        }
    }
}

/// Law 5.
private func checkOrder(
    _ sampler: some Sampler, order: Int, process: MixtureDenoiser<some ForwardSDE>, options: SamplerCheckOptions,
    into report: inout ConformanceReport
) {
    let sde = process.sde
    var random = CheckRandom(seed: options.seed)
    var start = [Double](repeating: 0, count: 2 * options.sampleCount)
    start.withUnsafeMutableBufferPointer { random.fillNormal($0) }
    start = start.map { $0 * sde.priorStandardDeviation }
    let initial = Tensor(start.map { Float($0) }, shape: [options.sampleCount, 2])
    let referenceTimes = logSNRGrid(sde, steps: 2000, endTime: options.endTime)
    let reference = process.referenceSolution(from: start, times: referenceTimes)
    var counts: [Int] = []
    var errors: [Double] = []
    for steps in options.orderStepCounts {
        var noise = PerSampleNoise(seed: options.seed)
        let times = logSNRGrid(sde, steps: steps, endTime: options.endTime)
        guard let outcome = try? runSampler(sampler, process: process, times: times, initial: initial, noise: &noise)
        else {
            report.fail("sampling with \(steps) steps failed")
            return
        }
        let values = outcome.samples.scalars.map(Double.init)
        let error = (zip(values, reference).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(values.count))
            .squareRoot()
        report.measure("RMS error at \(steps) steps", error)
        if error > options.orderErrorFloor {
            counts.append(steps)
            errors.append(error)
        }
    }
    guard counts.count >= 2 else {
        report.fail(
            "fewer than 2 step counts have an error above the floor \(options.orderErrorFloor): lower the step counts")
        return
    }
    let (coarse, fine) = (counts.count - 2, counts.count - 1)
    let slope =
        Foundation.log(errors[coarse] / errors[fine]) / Foundation.log(Double(counts[fine]) / Double(counts[coarse]))
    report.measure("empirical order", slope)
    if slope < Double(order) - options.orderTolerance || slope > Double(order) + 2 {
        report.fail(
            "empirical order \(conformanceFormat(slope)) between \(counts[coarse]) and \(counts[fine]) steps "
                + "does not match order \(order)")
    }
}

/// One seeded run from the prior, with the batch's first sample at index `first`.
private func run(
    _ sampler: some Sampler, _ process: some ReverseProcess, _ times: [Double], shape: [Int], first: Int, seed: UInt64
) throws(SamplingError) -> (samples: Tensor, evaluationCount: Int) {
    var noise = PerSampleNoise(seed: seed, firstSample: first)
    let initial = process.sde.samplePrior(shape, noise: &noise)
    let outcome = try runSampler(sampler, process: process, times: times, initial: initial, noise: &noise)
    return (outcome.samples, outcome.evaluationCount)
}

/// `steps` steps uniform in t from T down to max(endTime, t_min), or `steps` − 1 then a step to 0.
private func uniformGrid(_ sde: some ForwardSDE, steps: Int, endTime: Double, toZero: Bool) -> [Double] {
    let (start, end) = (sde.timeRange.upperBound, Swift.max(endTime, sde.timeRange.lowerBound))
    let intervals = toZero ? steps - 1 : steps
    let times = (0...intervals).map { $0 == intervals ? end : start + Double($0) / Double(intervals) * (end - start) }
    return toZero ? times + [0] : times
}

/// `steps` steps uniform in log-SNR from T down to max(endTime, t_min).
func logSNRGrid(_ sde: some ForwardSDE, steps: Int, endTime: Double) -> [Double] {
    let (start, end) = (sde.timeRange.upperBound, Swift.max(endTime, sde.timeRange.lowerBound))
    let (high, low) = (sde.marginal(at: start).logSignalToNoiseRatio, sde.marginal(at: end).logSignalToNoiseRatio)
    return (0...steps).map { i in
        i == 0
            ? start
            : i == steps ? end : sde.time(forLogSignalToNoiseRatio: high + Double(i) / Double(steps) * (low - high))
    }
}
