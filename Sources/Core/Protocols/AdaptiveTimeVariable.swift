/// The variable in which an adaptive run takes its steps (`StepSizeControl.timeVariable`).
///
/// The solution is the same ODE's either way; what changes is where the steps go and what the
/// step-size limits are measured in.
public enum AdaptiveTimeVariable: String, Codable, Sendable, CaseIterable {
    /// t itself, as scipy's `solve_ivp` in score_sde, torchdiffeq and diffrax.
    case time
    /// λ = log(α²/σ²), the process's log signal-to-noise ratio: dy/dλ = F(y, t(λ))·dt/dλ.
    ///
    /// Near the data end of VP-type processes σ(t)² ≈ β_min·t, so the probability-flow velocity
    /// grows like t^(−1/2) and its derivatives faster still: in t, every step toward t = 0 meets
    /// an error several times larger than the step before, and a controller that assumes a steady
    /// error constant keeps having steps rejected. In λ ≈ −log t there, the flow is smooth
    /// (the velocity times dt/dλ ≈ −t vanishes like t^(1/2)). DPM-Solver and EDM's schedules place
    /// their steps by the same reasoning. For VE and EDM processes λ = −2 log σ. Processes whose λ
    /// is infinite at an end of the run (an interpolant's α = 0 at t = 1) step in t.
    case logSignalToNoiseRatio
}

/// `field` seen in λ = log(α²/σ²) of `sde`: F(y, t(λ))·dt/dλ, row by row, with
/// dλ/dt = 2(α'/α − σ'/σ).
public struct LogSignalToNoiseRatioField<Base: VectorField, SDE: ForwardSDE>: VectorField {
    public let base: Base
    public let sde: SDE

    public init(base: Base, sde: SDE) {
        self.base = base
        self.sde = sde
    }

    /// dt/dλ at t.
    func timeDerivative(at time: Double) -> Double {
        let m = sde.marginal(at: time)
        return 1 / (2 * (m.signalScaleDerivative / m.signalScale - m.noiseScaleDerivative / m.noiseScale))
    }

    public func velocity(_ y: Tensor, at ratios: [Double]) throws(SamplingError) -> Tensor {
        let times = ratios.map { sde.time(forLogSignalToNoiseRatio: $0) }
        let velocity = try base.velocity(y, at: times)
        let shape = [y.shape[0]] + Array(repeating: 1, count: Swift.max(y.rank - 1, 0))
        return velocity * Tensor(times.map { Float(timeDerivative(at: $0)) }, shape: shape)
    }

    public func velocity(_ y: Tensor, atSharedTime ratio: Double) throws(SamplingError) -> Tensor {
        let time = sde.time(forLogSignalToNoiseRatio: ratio)
        return try base.velocity(y, atSharedTime: time) * Float(timeDerivative(at: time))
    }

    public func restricted(toRows rows: [Int]) -> LogSignalToNoiseRatioField? {
        base.restricted(toRows: rows).map { LogSignalToNoiseRatioField(base: $0, sde: sde) }
    }
}

/// `runAdaptive(_:field:from:to:initial:)` over the times `start` → `end` of `sde`, in the
/// variable of `solver.control.timeVariable` (t when λ is not finite at both ends).
public func runAdaptive<S: AdaptiveSampler, F: VectorField, SDE: ForwardSDE>(
    _ solver: S, field: F, sde: SDE, from start: Double, to end: Double, initial: Tensor
) throws(SamplingError) -> AdaptiveOutcome {
    if solver.control.timeVariable == .logSignalToNoiseRatio {
        let (from, to) = (sde.marginal(at: start).logSignalToNoiseRatio, sde.marginal(at: end).logSignalToNoiseRatio)
        if from.isFinite, to.isFinite, from != to {
            return try runAdaptive(
                solver, field: LogSignalToNoiseRatioField(base: field, sde: sde), from: from, to: to, initial: initial)
        }
    }
    return try runAdaptive(solver, field: field, from: start, to: end, initial: initial)
}
