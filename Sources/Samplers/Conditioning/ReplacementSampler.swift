public import ScoreKitCore

/// Any sampler, with the known coordinates of each sample replaced after every step: the
/// replacement method of conditional sampling (Song et al. 2021, §5 and Appendix I.2: score_sde's
/// `get_pc_inpainter` and imputation; NCSN's and DDPM's inpainting).
///
/// ```
/// before the first step   x_T ← (1 − m)·x_T + m·(α(T)·y + σ(T)·z)
/// after step i to t_{i+1} x ← (1 − m)·x + m·(α(t_{i+1})·y + σ(t_{i+1})·z),   z fresh per step
/// after the last step     x ← (1 − m)·x + m·y
/// ```
/// The unknown coordinates follow the base sampler with the score of the joint model at the
/// replaced state, so the same wrapper serves SDE samplers (Euler–Maruyama, predictor–corrector,
/// ancestral) and ODE samplers (Euler, Heun, DPM-Solver); the pipeline (`ShardedSampling`)
/// applies it when it is given an observation, so no sampler has code of its own for it.
/// score_sde replaces at the step's start time after its predictor; here the replacement sits
/// at the time the step reached.
///
/// - Limitations: replacement is not exact: ∇ log p_t(x_t) at a forward draw of the known part
///   is not the conditional score ∇ log p_t(x_t^unknown | y), so the result is biased where the
///   unknown part depends strongly on the known one (Ho et al. 2022, §3.1; docs/QUALITY.md
///   measures it on the ring). A multistep sampler's memory (DPM-Solver++ 2M/3M, UniPC,
///   Adams–Bashforth) holds evaluations at earlier replaced states; its extrapolation assumes a
///   smooth path, which the fresh draws of the known part are not. Predictor–corrector's
///   corrector runs on the replaced state and the replacement follows its predictor. An adaptive
///   sampler runs on the grid's steps (`ShardedSampling`), since the replacement changes the
///   state between its steps.
public struct ReplacementSampler<Base: Sampler>: Sampler {
    /// The base sampler's state and the replacement's draws.
    public struct State: Sendable {
        /// The base sampler's state.
        public var base: Base.State
        /// The replacement's draws.
        public var noise: PerSampleNoise
    }

    /// The sampler whose steps are conditioned.
    public let base: Base
    /// The known values and mask of the run's samples.
    public let observation: SampleObservation

    public init(base: Base, observation: SampleObservation) {
        self.base = base
        self.observation = observation
    }

    /// `nil`: the replacement draws fresh noise at every step.
    public var order: Int? { nil }

    public func initialState(for problem: SamplingProblem) -> State {
        State(base: base.initialState(for: problem), noise: observation.noise)
    }

    public func step(
        _ sample: Tensor, over step: TimeStep, state: inout State, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        var x = sample
        if step.index == 0 {
            x = observation.replaced(x, marginal: process.marginal(at: step.start), noise: &state.noise)
        }
        let next = try base.step(x, over: step, state: &state.base, process: process, noise: &noise)
        guard step.index < step.count - 1 else { return observation.imposed(on: next) }
        return observation.replaced(next, marginal: process.marginal(at: step.end), noise: &state.noise)
    }

    public func evaluationCount(forStepCount stepCount: Int) -> Int { base.evaluationCount(forStepCount: stepCount) }

    public func evaluationCount(forTimes times: [Double]) -> Int { base.evaluationCount(forTimes: times) }
}
