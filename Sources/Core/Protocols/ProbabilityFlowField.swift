/// The probability-flow ODE of a reverse process as a vector field (Song et al. 2021, eq. 13):
///
/// ```
/// dx/dt = f(x, t) − ½g(t)²·∇log p_t(x) = (α'/α)·x − ½g²·(α·x̂₀ − x)/σ²
/// ```
/// One model evaluation per call. Rows at one shared time take `probabilityFlowVelocity(_:at:)`;
/// rows at different times take one per-sample evaluation with the same arithmetic, so a row's
/// velocity is bit-identical either way.
public struct ProbabilityFlowField<Process: ReverseProcess>: VectorField {
    /// The process whose probability flow this is.
    public let process: Process

    public init(process: Process) { self.process = process }

    public func velocity(_ x: Tensor, at times: [Double]) -> Tensor {
        process.probabilityFlowVelocity(x, at: times)
    }

    public func velocity(_ x: Tensor, atSharedTime time: Double) -> Tensor {
        process.probabilityFlowVelocity(x, at: time)
    }

    public func restricted(toRows rows: [Int]) -> ProbabilityFlowField? {
        process.restricted(toRows: rows).map(ProbabilityFlowField.init)
    }
}

extension ReverseProcess {
    /// The probability-flow velocity of each row of `x` at its own time `times[i]`, in one model
    /// evaluation with a per-sample condition, also when the times agree: bit-identical, row by
    /// row, to `probabilityFlowVelocity(_:at:)` at that time for models that compute each row
    /// alone, and never depending on the other rows' times (see `NoiseCondition.isShared`).
    public func probabilityFlowVelocity(_ x: Tensor, at times: [Double]) -> Tensor {
        precondition(times.count == x.shape.first, "\(times.count) times for a batch of shape \(x.shape)")
        return probabilityFlowVelocity(x, denoised: denoised(x, at: times), at: times)
    }

    /// The probability-flow velocity of each row of `x` at `times[i]` from a given x̂₀ (one row per
    /// sample), with the arithmetic of `probabilityFlowVelocity(_:at:)`: what a divergence
    /// differentiates, after checking that x̂₀ itself depends on x.
    public func probabilityFlowVelocity(_ x: Tensor, denoised: Tensor, at times: [Double]) -> Tensor {
        precondition(times.count == x.shape.first, "\(times.count) times for a batch of shape \(x.shape)")
        let marginals = times.map { sde.marginal(at: $0) }
        let shape = [x.shape[0]] + Array(repeating: 1, count: Swift.max(x.rank - 1, 0))
        func perRow(_ value: (Marginal) -> Double) -> Tensor {
            Tensor(marginals.map { Float(value($0)) }, shape: shape)
        }
        // The operations of `Prediction.score` and `probabilityFlowVelocity(_:at:)`, per row.
        let score = (denoised * perRow(\.signalScale) - x) * perRow { 1 / ($0.noiseScale * $0.noiseScale) }
        return x * perRow(\.driftCoefficient) - score * perRow { 0.5 * $0.diffusionSquared }
    }
}

/// Samples with an adaptive solver on the probability-flow ODE, from `initial` at `times.first`
/// (the prior end) to the last time of the grid; only the grid's ends are used.
///
/// When the grid ends at t = 0 (`finalStep: toZero`), the solver stops at the last positive time
/// and the run ends with the final denoising step x ← x̂₀(x, t), one more evaluation. The
/// outcome's `evaluationCount` is counted at the process (`CountingProcess`).
/// - Throws: `invalidTimeGrid` for fewer than 2 times, times that do not decrease, or a grid
///   whose only step goes to 0; the solver's errors (`runAdaptive(_:field:from:to:initial:)`).
public func runAdaptive<S: AdaptiveSampler, P: ReverseProcess>(
    _ sampler: S, process: P, times: [Double], initial: Tensor
) throws(SamplingError) -> AdaptiveOutcome {
    guard times.count >= 2 else { throw .invalidTimeGrid(reason: "a run needs at least 2 times, got \(times.count)") }
    for i in 1..<times.count where !(times[i] < times[i - 1]) {
        throw .invalidTimeGrid(
            reason: "times must decrease; t[\(i)] = \(times[i]) follows t[\(i - 1)] = \(times[i - 1])")
    }
    let denoisesAtEnd = times.last == 0
    guard !denoisesAtEnd || times.count >= 3 else {
        throw .invalidTimeGrid(reason: "an adaptive run needs a positive time to integrate to before the step to 0")
    }
    let end = denoisesAtEnd ? times[times.count - 2] : times[times.count - 1]
    let counted = CountingProcess(base: process)
    var outcome = try runAdaptive(
        sampler, field: ProbabilityFlowField(process: counted), sde: process.sde, from: times[0], to: end,
        initial: initial)
    if denoisesAtEnd {
        outcome.solution = Autodiff.withoutRecording { counted.denoised(outcome.solution, at: end) }
        outcome.sampleEvaluationCounts = outcome.sampleEvaluationCounts.map { $0 + 1 }
    }
    guard outcome.solution.isFinite else {
        throw .nonFinite(sampler: String(describing: S.self), step: 0, stepCount: 1, time: denoisesAtEnd ? 0 : end)
    }
    outcome.evaluationCount = counted.evaluationCount
    return outcome
}
