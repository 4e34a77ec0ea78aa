/// Moves a sample toward the marginal p_t at one time, without moving in time: the "corrector"
/// of predictor–corrector sampling (Song et al. 2021, §4.2 and Algorithm 2).
///
/// ```
/// for each step t_i → t_{i+1} of a run:
///     x ← corrector(x at t_i)            an MCMC move that leaves p_{t_i} invariant (Langevin, …)
///     x ← predictor(x, t_i → t_{i+1})    any `Sampler`
/// ```
/// The predictor of a predictor–corrector sampler is any `Sampler`; a corrector runs at
/// `step.start`, before the predictor, in the order of score_sde's `pc_sampler` (the paper's
/// Algorithm 2 corrects after predicting; the two differ only at the ends of the grid). So the
/// corrector never runs at the final-denoising time t = 0, and a run of N steps makes exactly
/// `predictor.evaluationCount(forTimes:) + N·evaluationsPerCorrection` evaluations.
/// Correctors are immutable and keep no state across steps.
public protocol Corrector: Sendable {
    /// The model evaluations one call of `correct` makes.
    var evaluationsPerCorrection: Int { get }

    /// Moves `sample` toward p_t at t = `step.start`; `step` gives the spacing of the grid there.
    func correct(
        _ sample: Tensor,
        over step: TimeStep,
        process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor
}

extension ComponentKind where Product == any Corrector {
    /// Correctors: the `corrector:` key of a `predictor-corrector` sampler. Predictors are
    /// samplers, so a recipe names them from the `sampler` family.
    public static var corrector: Self { Self("corrector") }
}

extension ComponentRegistry {
    /// Registers a corrector.
    public mutating func register<C: Corrector & RegisteredComponent>(corrector: C.Type) {
        register(C.self, as: .corrector) { $0 }
    }
}
