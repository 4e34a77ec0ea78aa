public import ScoreKitCore

/// The unadjusted Langevin algorithm (ULA) on the score of p_t, with a constant step size.
///
/// ```
/// at t = step.start, `steps` times:   x ← x + ε·∇log p_t(x) + √(2ετ)·z,   z ~ N(0, I)
/// ```
/// Langevin dynamics discretised by Euler–Maruyama (Roberts & Tweedie 1996; Welling & Teh
/// 2011); it needs only a score, so it runs on any model. τ = 1 targets p_t; τ < 1 targets
/// p_t^{1/τ}, sharper (the "temperature" of Glow and of score-based samplers). Each grid step
/// runs its iterations at its start time (as score_sde applies correctors before predictors):
/// a run ends distributed near p at the last grid time before t_N, or, when the grid ends at 0,
/// at Tweedie's x̂₀ from there (one more evaluation). `steps` evaluations per grid step. See `annealed-langevin` for NCSN's noise-scaled step rule and `mala` for the
/// Metropolis-adjusted, unbiased variant.
/// - Limitations: biased for every ε > 0 (a Gaussian of variance v is sampled with variance
///   v/(1 − ε/2v)); diverges for ε > 2/L, L the score's Lipschitz constant (it then stops with
///   `SamplingError.nonFinite`); cannot cross between well-separated modes in reasonable time.
public struct LangevinSampler: Sampler {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// ε, the step size.
        public var stepSize = 0.01
        /// Langevin iterations per grid step.
        public var steps = 100
        /// τ, the temperature: the noise is √(2ετ)·z.
        public var temperature = 1.0

        public init() {}

        public func validate() throws(ConfigurationError) {
            try requirePositive(stepSize, key: "stepSize")
            try requireCount(steps, key: "steps")
            try requireNonNegative(temperature, key: "temperature")
        }
    }

    public let configuration: Configuration

    public init() { configuration = Configuration() }

    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public var order: Int? { nil }

    public func evaluationCount(forStepCount stepCount: Int) -> Int { stepCount * configuration.steps }

    public func evaluationCount(forTimes times: [Double]) -> Int {
        langevinEvaluationCount(forTimes: times, iterations: configuration.steps)
    }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout Void, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        let c = configuration
        return try langevinIterations(
            x, over: step, stepSize: c.stepSize, count: c.steps, temperature: c.temperature, process: process,
            noise: &noise, reporting: Self.self)
    }
}

extension LangevinSampler: RegisteredComponent {
    public static let id: ComponentID = "langevin"
    public static let summary = "Unadjusted Langevin algorithm (ULA) with a constant step size"
}
