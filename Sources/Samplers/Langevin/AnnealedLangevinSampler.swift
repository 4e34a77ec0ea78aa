public import ScoreKitCore

/// Annealed Langevin dynamics of NCSN (Song & Ermon 2019, Algorithm 1).
///
/// ```
/// levels σ_1 > … > σ_L: the noise scales σ(t_i) at the grid's times t_0 … t_{N−1}
/// at each level, K = `steps` times:
///     x ← x + α_i·∇log p_{t_i}(x) + √(2α_i·τ)·z,   α_i = ε·(σ_i/σ_L)²,   z ~ N(0, I)
/// start: x ~ N(0, σ(T)²·I) (the prior), or x ~ U[0, 1)^d (`initialization: uniform`, the NCSN code)
/// ```
/// ε = `stepSize` (NCSN's `step_lr`), K = `steps` (`n_steps_each`, 100). This is the update of
/// NCSN's code (`anneal_Langevin_dynamics`); Algorithm 1 of the paper writes
/// x ← x + (α_i/2)·∇log p + √α_i·z, so its ε is twice `stepSize`: the paper's ε = 2e-5 is
/// `stepSize: 1e-5` here (docs/QUALITY.md measures both).
/// The level of each grid step is its start time, as score_sde's annealed Langevin
/// (`pc_sampler` with predictor `none`, corrector `ald`): a uniform grid of `variance-exploding`
/// with N steps from t = 1 visits N geometric σ's from σ_max. When the grid ends at t = 0 the
/// last level is followed by Tweedie's denoising x̂₀ = x + σ_L²·∇log p (NCSNv2's "denoising",
/// one more evaluation); otherwise the samples are distributed near p at σ_L. σ is the process's noise
/// scale σ(t) (the σ of NCSN for VE, where α = 1). With τ < 1 ("temperature") it samples
/// sharper distributions. `steps` evaluations per level; with `uniform` the prior draw
/// handed to the first step is replaced.
/// - Limitations: α_i/σ_i² = ε/σ_L² is the same at every level, so the chain is stable only
///   if ε < 2σ_L² (ε < 2e-4 for σ_L = 0.01; at ε ≥ 5e-4 it diverges even with the exact score
///   and stops with `SamplingError.nonFinite`): −∇²log p_t ⪯ I/σ_i² for any data (x_t given x₀
///   is N(αx₀, σ²I)), with equality where p_t is nearly Gaussian of variance σ_i² (the large
///   levels), and a Langevin step of size a on a Gaussian of variance v is stable only for
///   a < 2v. `settingProblem(times:sde:)` checks this limit when a recipe is resolved, so a grid
///   that ends at a tiny σ (sub-VP, EDM and the linear interpolant reach σ ≈ 1e-3…1e-4 with the
///   grids' default ends) is refused with the limit in the message instead of producing NaN at
///   step 1. At small σ the steps are too small to mix within a mode (samples stay as wide as at
///   a larger level), NCSN's known weakness that NCSNv2 and predictor–corrector sampling address.
public struct AnnealedLangevinSampler: Sampler {
    /// What the first step starts from.
    public enum Initialization: String, Codable, Sendable, CaseIterable {
        /// The sample the run starts from: N(0, σ(T)²·I) from `samplePrior`.
        case prior
        /// U[0, 1)^d per sample, as NCSN's code (`torch.rand`), drawn in the first step.
        case uniform
    }

    public struct Configuration: ComponentConfiguration, Equatable {
        /// ε, the step size at the smallest level σ_L (NCSN's `step_lr`).
        public var stepSize = 2e-5
        /// K, Langevin iterations per level (NCSN's `n_steps_each`).
        public var steps = 100
        /// τ, the temperature: the noise is √(2α_i·τ)·z.
        public var temperature = 1.0
        /// The starting distribution.
        public var initialization = Initialization.prior

        public init() {}

        public func validate() throws(ConfigurationError) {
            try requirePositive(stepSize, key: "stepSize")
            try requireCount(steps, key: "steps")
            try requireNonNegative(temperature, key: "temperature")
        }
    }

    /// The time of the smallest level, t_{N−1}.
    public struct State: Sendable {
        var smallestLevelTime: Double
    }

    public let configuration: Configuration

    public init() { configuration = Configuration() }

    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public var order: Int? { nil }

    public func initialState(for problem: SamplingProblem) -> State {
        State(smallestLevelTime: problem.times[Swift.max(problem.times.count - 2, 0)])
    }

    public func evaluationCount(forStepCount stepCount: Int) -> Int { stepCount * configuration.steps }

    public func evaluationCount(forTimes times: [Double]) -> Int {
        langevinEvaluationCount(forTimes: times, iterations: configuration.steps)
    }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout State, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        let c = configuration
        let start = step.index == 0 && c.initialization == .uniform ? noise.uniform(x.shape) : x
        let sigma = process.marginal(at: step.start).noiseScale
        let smallest = process.marginal(at: state.smallestLevelTime).noiseScale
        let ratio = sigma / smallest
        return try langevinIterations(
            start, over: step, stepSize: c.stepSize * ratio * ratio, count: c.steps, temperature: c.temperature,
            process: process, noise: &noise, reporting: Self.self)
    }
}

extension AnnealedLangevinSampler: GridCheckedSampler {
    /// The grid's smallest level σ_L: the noise scale at the last step's start time, t_{N−1}
    /// (the level `State` keeps).
    public static func smallestLevel(times: [Double], sde: some ForwardSDE) -> (time: Double, noiseScale: Double) {
        let time = times[Swift.max(times.count - 2, 0)]
        return (time, sde.marginal(at: time).noiseScale)
    }

    /// The step size ε must stay below 2σ_L² (see the limitations above): every level's step
    /// α_i = ε(σ_i/σ_L)² is then below 2σ_i², twice the variance of the flattest p_t it can meet.
    public func settingProblem(times: [Double], sde: some ForwardSDE) -> SamplerSettingProblem? {
        guard times.count >= 2 else { return nil }
        let level = Self.smallestLevel(times: times, sde: sde)
        let limit = 2 * level.noiseScale * level.noiseScale
        guard !(configuration.stepSize < limit) else { return nil }
        return SamplerSettingProblem(
            key: "stepSize",
            problem: "stepSize \(Self.format(configuration.stepSize)) is not below the stability limit "
                + "2·σ_L² = \(Self.format(limit)) at the grid's smallest noise level σ_L = "
                + "\(Self.format(level.noiseScale)) (t = \(Self.format(level.time))); the first steps would diverge",
            hint: "set sampler.stepSize below \(Self.format(limit)), or end the time grid at a larger noise level "
                + "(timeGrid.endTime, or fewer steps); annealed Langevin suits variance-exploding and "
                + "variance-preserving processes")
    }

    /// 4 significant digits.
    private static func format(_ value: Double) -> String {
        let magnitude = Swift.abs(value)
        if magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e4) { return "\(Float(value))" }
        return "\((value * 1e4).rounded() / 1e4)"
    }
}

extension AnnealedLangevinSampler: RegisteredComponent {
    public static let id: ComponentID = "annealed-langevin"
    public static let summary = "Annealed Langevin dynamics of NCSN (Song & Ermon 2019), α_i = ε(σ_i/σ_L)²"
}
