/// What goes wrong while sampling, integrating or measuring likelihood.
public enum SamplingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A step produced NaN or ±∞.
    case nonFinite(sampler: String, step: Int, stepCount: Int, time: Double)
    /// An adaptive solver used up its evaluation budget before reaching the end time.
    case evaluationBudgetExceeded(solver: String, limit: Int, time: Double, end: Double)
    /// An adaptive solver's step fell below its minimum.
    case stepSizeTooSmall(solver: String, stepSize: Double, minimum: Double, time: Double)
    /// The time grid cannot be used with this process or sampler.
    case invalidTimeGrid(reason: String)
    /// The sampler needs a capability the reverse process lacks, such as a log-density for MALA.
    case unsupportedProcess(sampler: String, requirement: String)
    /// A divergence (likelihood) needs ∂x̂₀/∂x, but the model's output is not on the gradient tape.
    case notDifferentiable(estimator: String)
    /// A recorded noise source (`RecordedNoise`) could not serve a draw of the run.
    case noiseRecording(reason: String)

    public var description: String {
        switch self {
        case let .nonFinite(sampler, step, count, time):
            return """
                error: sampler '\(sampler)' produced non-finite values at step \(step + 1) of \(count) (t = \(format(time)))
                  hint: increase timeGrid.steps, or check the model and the process's parameters
                """
        case let .evaluationBudgetExceeded(solver, limit, time, end):
            return """
                error: '\(solver)' used its \(limit) model evaluations at t = \(format(time)), before reaching t = \(format(end))
                  hint: raise the evaluation limit or loosen rtol/atol
                """
        case let .stepSizeTooSmall(solver, size, minimum, time):
            return """
                error: '\(solver)' step size \(format(size)) fell below its minimum \(format(minimum)) at t = \(format(time))
                  hint: the dynamics may be stiff or non-finite there; loosen rtol/atol or lower the minimum step
                """
        case let .invalidTimeGrid(reason):
            return "error: invalid time grid: \(reason)"
        case let .notDifferentiable(estimator):
            return """
                error: '\(estimator)' needs the gradient of the model's output with respect to its input, \
                but the output is not tracked
                  hint: use a model built from Tensor operations (every ScoreKit network is); models that \
                compute outside the tape, such as the exact Gaussian mixture, have no input gradient
                """
        case let .noiseRecording(reason):
            return """
                error: the noise recording cannot serve this run: \(reason)
                  hint: record every draw in order, each [count] + the sample shape: the prior draw (unless \
                --init gives it), then the sampler's draws step by step (for likelihood: the probes)
                """
        case let .unsupportedProcess(sampler, requirement):
            return """
                error: sampler '\(sampler)' needs \(requirement)
                  hint: choose a sampler that needs only the score, such as 'langevin' or 'euler-maruyama'
                """
        }
    }

    private func format(_ value: Double) -> String {
        let magnitude = Swift.abs(value)
        if magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e4) {
            return "\(Float(value))"
        }
        return "\((value * 1e4).rounded() / 1e4)"
    }
}
