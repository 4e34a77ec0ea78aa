import Foundation

/// Integrates `field` from `start` to `end` (either direction) from `initial`, choosing every
/// sample's steps with `solver`'s error estimate and `control` (see `StepSizeControl`).
///
/// Each sample has its own time, step size and controller memory, and every evaluation sees the
/// whole batch, so a sample's result depends on its own values only: never on the batch size or
/// the thread count. A sample that reaches `end` stays there with step 0 while others finish.
/// Evaluations are counted exactly, for the batch and for each sample.
///
/// - Throws: `evaluationBudgetExceeded` when a sample needs more than
///   `control.maximumEvaluationCount` evaluations; `stepSizeTooSmall` when a step shrinks below
///   `control.minimumStepSize` or below the resolution of the time (non-finite values, stiffness).
/// Recording is off inside, except where the field itself turns it on (divergences).
public func runAdaptive<S: AdaptiveSampler, F: VectorField>(
    _ solver: S, field: F, from start: Double, to end: Double, initial: Tensor
) throws(SamplingError) -> AdaptiveOutcome {
    let n = initial.shape.first ?? 0
    precondition(n > 0, "an adaptive run needs a batch [N, …] with N ≥ 1, got shape \(initial.shape)")
    let control = solver.control
    guard start != end else {
        return AdaptiveOutcome(
            solution: initial, evaluationCount: 0, sampleEvaluationCounts: Array(repeating: 0, count: n),
            acceptedStepCounts: Array(repeating: 0, count: n), rejectedStepCounts: Array(repeating: 0, count: n))
    }
    let name = String(describing: S.self)
    let direction = end > start ? 1.0 : -1.0
    let span = Swift.abs(end - start)
    let exponentOrder = Double(Swift.min(solver.order ?? solver.embeddedOrder, solver.embeddedOrder) + 1)
    if control.scope == .batch {
        return try runAdaptiveSharingSteps(
            solver, field: field, from: start, to: end, initial: initial, order: exponentOrder)
    }
    return try Autodiff.withoutRecording { () throws(SamplingError) -> AdaptiveOutcome in
        var y = initial.detached()
        var times = Array(repeating: start, count: n)
        var velocity = try field.velocity(y, at: times)
        var batchCount = 1
        var counts = Array(repeating: 1, count: n)
        var sizes: [Double]
        if control.initialStepSize > 0 {
            sizes = Array(repeating: Swift.min(control.initialStepSize, span), count: n)
        } else {
            sizes = try initialStepSizes(
                y, velocity: velocity, start: start, direction: direction, span: span, order: exponentOrder,
                control: control, field: field)
            batchCount += 1
            for i in 0..<n { counts[i] += 1 }
        }
        sizes = sizes.map { Swift.min(Swift.max($0, control.minimumStepSize), control.maximumStepSize) }
        var done = Array(repeating: false, count: n)
        var previous = Array(repeating: (error: 1.0, size: 0.0), count: n)
        var rejectedLast = Array(repeating: false, count: n)
        var accepted = Array(repeating: 0, count: n)
        var rejected = Array(repeating: 0, count: n)
        while done.contains(false) {
            // Only unfinished samples are evaluated when the field can be restricted to them: a
            // batch then costs Σ per-sample evaluations, not its slowest sample's count times N.
            // Each row takes the same steps either way (for a model that computes rows alone, as
            // the exact mixture and untracked `PanelBatch` networks do, with the same bits; an
            // sgemm over another row count can round differently).
            let unfinished = (0..<n).filter { !done[$0] }
            let subset = unfinished.count < n ? field.restricted(toRows: unfinished) : nil
            let active = subset != nil || unfinished.count == n ? unfinished : Array(0..<n)
            let compact = active.count < n
            let yActive = compact ? y.gathering(rows: active) : y
            let velocityActive = compact ? velocity.gathering(rows: active) : velocity
            let finishing = active.map { !done[$0] && sizes[$0] >= Swift.abs(end - times[$0]) }
            let steps = active.map { done[$0] ? 0 : direction * Swift.min(sizes[$0], Swift.abs(end - times[$0])) }
            let attempt: AdaptiveAttempt
            if let subset {
                attempt = try solver.attempt(
                    yActive, velocity: velocityActive, times: active.map { times[$0] }, sizes: steps, field: subset)
            } else {
                attempt = try solver.attempt(
                    yActive, velocity: velocityActive, times: times, sizes: steps, field: field)
            }
            batchCount += attempt.evaluationCount
            let errors = errorNorms(attempt.errorEstimate, yActive, attempt.proposal, control: control)
            var kept: [Int] = []
            for (j, i) in active.enumerated() where !done[i] {
                counts[i] += attempt.evaluationCount
                let e = errors[j]
                var factor: Double
                if e <= 1 {  // false for NaN
                    kept.append(j)
                    accepted[i] += 1
                    times[i] = finishing[j] ? end : times[i] + steps[j]
                    done[i] = finishing[j]
                    factor = control.acceptedFactor(
                        error: e, size: Swift.abs(steps[j]), previous: previous[i], rejectedLast: rejectedLast[i],
                        order: exponentOrder)
                    previous[i] = (Swift.max(e, 1e-10), Swift.abs(steps[j]))
                    rejectedLast[i] = false
                } else {
                    rejected[i] += 1
                    factor = control.rejectedFactor(error: e, order: exponentOrder)
                    rejectedLast[i] = true
                }
                sizes[i] = Swift.min(Swift.abs(steps[j]) * factor, control.maximumStepSize)
                guard !done[i] else { continue }
                if sizes[i] < control.minimumStepSize || times[i] + direction * sizes[i] == times[i] {
                    throw .stepSizeTooSmall(
                        solver: name, stepSize: sizes[i], minimum: control.minimumStepSize, time: times[i])
                }
                if counts[i] >= control.maximumEvaluationCount {
                    throw .evaluationBudgetExceeded(
                        solver: name, limit: control.maximumEvaluationCount, time: times[i], end: end)
                }
            }
            guard !kept.isEmpty else { continue }
            let rows = kept.map { active[$0] }
            y = y.replacingRows(rows, with: attempt.proposal, from: kept)
            if let next = attempt.endVelocity {
                velocity = velocity.replacingRows(rows, with: next, from: kept)
            } else {
                // The new velocity of accepted samples that go on.
                let going = kept.filter { !done[active[$0]] }
                guard !going.isEmpty else { continue }
                let goingRows = going.map { active[$0] }
                if let part = field.restricted(toRows: goingRows) {
                    let fresh = try part.velocity(y.gathering(rows: goingRows), at: goingRows.map { times[$0] })
                    velocity = velocity.replacingRows(goingRows, with: fresh, from: Array(0..<going.count))
                } else {
                    let fresh = try field.velocity(y, at: times)
                    velocity = velocity.replacingRows(goingRows, with: fresh, from: goingRows)
                }
                batchCount += 1
                for i in goingRows { counts[i] += 1 }
            }
        }
        return AdaptiveOutcome(
            solution: y, evaluationCount: batchCount, sampleEvaluationCounts: counts, acceptedStepCounts: accepted,
            rejectedStepCounts: rejected)
    }
}

extension StepSizeControl {
    /// The factor on the step after an accepted step with error norm `error` (≤ 1).
    ///
    /// `size` is the accepted step's size and `previous` the error norm and size of the accepted
    /// step before it (size 0 when there was none).
    func acceptedFactor(
        error e: Double, size: Double, previous: (error: Double, size: Double), rejectedLast: Bool, order: Double
    ) -> Double {
        let p = proportionalCoefficient
        var factor =
            e == 0
            ? maximumFactor
            : safety * Foundation.pow(e, -(p + integralCoefficient) / order) * Foundation.pow(previous.error, p / order)
        if predictive, previous.size > 0, e > 0 {
            let trend = Foundation.pow(Swift.max(previous.error, 1e-2) / (e * e), 1 / order)
            factor = Swift.min(factor, safety * (size / previous.size) * trend)
        }
        factor = Swift.min(Swift.max(factor, minimumFactor), maximumFactor)
        return rejectedLast ? Swift.min(factor, 1) : factor
    }

    /// The factor on the step after a rejected step with error norm `error` (> 1 or NaN).
    func rejectedFactor(error e: Double, order: Double) -> Double {
        let factor = e.isFinite ? safety * Foundation.pow(e, -1 / order) : minimumFactor
        return Swift.min(Swift.max(factor, minimumFactor), safety)
    }
}

/// `runAdaptive` with `StepControlScope.batch`: the batch is one state with one time and one step
/// size; the error norm is the RMS over all its values. Same controller, initial step and
/// failures as the per-sample loop; every sample takes part in every evaluation.
private func runAdaptiveSharingSteps<S: AdaptiveSampler, F: VectorField>(
    _ solver: S, field base: F, from start: Double, to end: Double, initial: Tensor, order: Double
) throws(SamplingError) -> AdaptiveOutcome {
    let field = SharedTimeField(base: base)
    let n = initial.shape[0]
    let control = solver.control
    let name = String(describing: S.self)
    let direction = end > start ? 1.0 : -1.0
    let span = Swift.abs(end - start)
    let all = { (t: Double) in [Double](repeating: t, count: n) }
    return try Autodiff.withoutRecording { () throws(SamplingError) -> AdaptiveOutcome in
        var y = initial.detached()
        var t = start
        var velocity = try field.velocity(y, at: all(t))
        var count = 1
        var size: Double
        if control.initialStepSize > 0 {
            size = Swift.min(control.initialStepSize, span)
        } else {
            size = try initialStepSizes(
                y, velocity: velocity, start: start, direction: direction, span: span, order: order,
                control: control, field: field, sharing: true)[0]
            count += 1
        }
        size = Swift.min(Swift.max(size, control.minimumStepSize), control.maximumStepSize)
        var previous = (error: 1.0, size: 0.0)
        var rejectedLast = false
        var accepted = 0
        var rejected = 0
        while t != end {
            let finishing = size >= Swift.abs(end - t)
            let step = direction * Swift.min(size, Swift.abs(end - t))
            let attempt = try solver.attempt(y, velocity: velocity, times: all(t), sizes: all(step), field: field)
            count += attempt.evaluationCount
            let e = errorNorms(attempt.errorEstimate, y, attempt.proposal, control: control, sharing: true)[0]
            let factor: Double
            if e <= 1 {  // false for NaN
                accepted += 1
                factor = control.acceptedFactor(
                    error: e, size: Swift.abs(step), previous: previous, rejectedLast: rejectedLast, order: order)
                previous = (Swift.max(e, 1e-10), Swift.abs(step))
                rejectedLast = false
                y = attempt.proposal
                t = finishing ? end : t + step
                if t != end {
                    if let next = attempt.endVelocity {
                        velocity = next
                    } else {
                        velocity = try field.velocity(y, at: all(t))
                        count += 1
                    }
                }
            } else {
                rejected += 1
                factor = control.rejectedFactor(error: e, order: order)
                rejectedLast = true
            }
            size = Swift.min(Swift.abs(step) * factor, control.maximumStepSize)
            guard t != end else { break }
            if size < control.minimumStepSize || t + direction * size == t {
                throw .stepSizeTooSmall(solver: name, stepSize: size, minimum: control.minimumStepSize, time: t)
            }
            if count >= control.maximumEvaluationCount {
                throw .evaluationBudgetExceeded(solver: name, limit: control.maximumEvaluationCount, time: t, end: end)
            }
        }
        return AdaptiveOutcome(
            solution: y, evaluationCount: count, sampleEvaluationCounts: Array(repeating: count, count: n),
            acceptedStepCounts: Array(repeating: accepted, count: n),
            rejectedStepCounts: Array(repeating: rejected, count: n))
    }
}

extension Tensor {
    /// A copy whose rows `rows` are rows `sourceRows` of `source` (untracked; same row width).
    func replacingRows(_ rows: [Int], with source: Tensor, from sourceRows: [Int]) -> Tensor {
        precondition(rows.count == sourceRows.count, "\(rows.count) rows to replace from \(sourceRows.count)")
        let n = shape[0]
        let width = scalarCount / Swift.max(n, 1)
        precondition(
            source.scalarCount / Swift.max(source.shape[0], 1) == width, "rows of \(source.shape) into \(shape)")
        var result = detached()
        result.withUnsafeMutableBufferPointer { out in
            source.withUnsafeBufferPointer { input in
                for (row, from) in zip(rows, sourceRows) {
                    (out.baseAddress! + row * width).update(from: input.baseAddress! + from * width, count: width)
                }
            }
        }
        return result
    }
}

/// ‖error / (atol + rtol·max(|y₀|, |y₁|))‖_RMS of each row, in Double (or, `sharing`, one
/// norm over the whole batch).
func errorNorms(
    _ error: Tensor, _ y0: Tensor, _ y1: Tensor, control: StepSizeControl, sharing: Bool = false
) -> [Double] {
    let n = y0.shape[0]
    let scale = Tensor.maximum(abs(y0), abs(y1)) * Float(control.relativeTolerance) + Float(control.absoluteTolerance)
    return rootMeanSquares(error / scale, rows: sharing ? 1 : n)
}

/// The root mean square of each of `n` equal row blocks of `x`.
private func rootMeanSquares(_ x: Tensor, rows n: Int) -> [Double] {
    square(x).reshaped([n, -1]).mean(alongAxis: 1).scalars.map { Double($0).squareRoot() }
}

/// Hairer's initial step (Hairer, Nørsett & Wanner 1993, §II.4; scipy's `select_initial_step`),
/// per sample, with one evaluation of the field:
///
/// ```
/// d₀ = ‖y₀/s‖, d₁ = ‖f₀/s‖, s = atol + rtol·|y₀|;   h₀ = 0.01·d₀/d₁ (10⁻⁶·span if either is tiny)
/// d₂ = ‖(f(y₀ + h₀f₀) − f₀)/s‖/h₀;   h₁ = (0.01/max(d₁, d₂))^(1/q);   h = min(100·h₀, h₁, span)
/// ```
///
/// With `sharing`, the norms are over the whole batch and the one step size is returned.
private func initialStepSizes(
    _ y: Tensor, velocity: Tensor, start: Double, direction: Double, span: Double, order: Double,
    control: StepSizeControl, field: some VectorField, sharing: Bool = false
) throws(SamplingError) -> [Double] {
    let rows = y.shape[0]
    let n = sharing ? 1 : rows
    let scale = abs(y) * Float(control.relativeTolerance) + Float(control.absoluteTolerance)
    let d0 = rootMeanSquares(y / scale, rows: n)
    let d1 = rootMeanSquares(velocity / scale, rows: n)
    let floor = 1e-6 * span
    let h0 = (0..<n).map { d0[$0] < 1e-5 || d1[$0] < 1e-5 ? floor : Swift.min(0.01 * d0[$0] / d1[$0], span) }
    let rowSteps = sharing ? [Double](repeating: h0[0], count: rows) : h0
    let column = Tensor(
        rowSteps.map { Float(direction * $0) }, shape: [rows] + Array(repeating: 1, count: Swift.max(y.rank - 1, 0)))
    let probe = try field.velocity(y + velocity * column, at: rowSteps.map { start + direction * $0 })
    let d2 = rootMeanSquares((probe - velocity) / scale, rows: n)
    return (0..<n).map { i in
        let rate = Swift.max(d1[i], d2[i] / h0[i])
        let h1 = rate <= 1e-15 ? Swift.max(floor, h0[i] * 1e-3) : Foundation.pow(0.01 / rate, 1 / order)
        return Swift.min(100 * h0[i], h1, span)
    }
}
