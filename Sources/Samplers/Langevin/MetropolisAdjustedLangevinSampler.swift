public import ScoreKitCore

/// The Metropolis-adjusted Langevin algorithm (MALA; Roberts & Tweedie 1996), for processes
/// that know their log-density (`LogDensityProcess`: energy-based models, exact densities).
///
/// ```
/// at t = step.start, `steps` times, per sample:
///     y = x + ε·∇log p_t(x) + √(2ε)·z,   z ~ N(0, I)
///     log A = log p_t(y) − log p_t(x) − ‖x − y − ε·∇log p_t(y)‖²/(4ε) + ‖z‖²/2
///     x ← y if log u < log A (u ~ U[0, 1)), else x
/// ```
/// The accept/reject step makes p_t exactly invariant for every ε, so unlike `langevin` it has
/// no step-size bias; the price is one uniform draw and a log-density per proposal. The first
/// iteration of each grid step evaluates the current point too: `steps` + 1 evaluations per
/// grid step. Levels are the grid steps' start times, as for `langevin`; when the grid ends at
/// t = 0 the last step returns Tweedie's x̂₀ from the evaluation it already holds.
/// A `LogDensitySampler`: a recipe pairs it only with a network whose models know their
/// log-density (`LogDensityArchitecture`, such as `exact-mixture`), checked when it is resolved.
/// The run's acceptance is counted per grid step in `State` and returned by `runSampler` in
/// `SamplingOutcome.acceptance` (`scorekit sample` prints the rate and writes it beside the samples).
/// - Limitations: fails with `SamplingError.unsupportedProcess` on a process without a
///   log-density (a plain score network); the acceptance rate falls as ε grows (≈ 0.57 is the
///   optimum in high dimension); it cannot cross between separated modes any faster than ULA.
public struct MetropolisAdjustedLangevinSampler: Sampler {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// ε, the proposal's step size.
        public var stepSize = 0.01
        /// Metropolis–Hastings iterations per grid step.
        public var steps = 100

        public init() {}

        public func validate() throws(ConfigurationError) {
            try requirePositive(stepSize, key: "stepSize")
            try requireCount(steps, key: "steps")
        }
    }

    /// The acceptance counts of a run, per grid step.
    public struct State: AcceptanceCounting {
        public var acceptance: AcceptanceCounts
    }

    public let configuration: Configuration

    public init() { configuration = Configuration() }

    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public var order: Int? { nil }

    public func evaluationCount(forStepCount stepCount: Int) -> Int { stepCount * (configuration.steps + 1) }

    /// The final denoising step reuses the x̂₀ it holds: no extra evaluation.
    public func evaluationCount(forTimes times: [Double]) -> Int {
        evaluationCount(forStepCount: Swift.max(times.count - 1, 0))
    }

    public func initialState(for problem: SamplingProblem) -> State {
        State(acceptance: AcceptanceCounts(grid: problem.times))
    }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout State, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        guard let densityProcess = process as? any LogDensityProcess else {
            throw .unsupportedProcess(
                sampler: Self.id.rawValue,
                requirement: "a log-density (a LogDensityProcess: an energy model or an exact density), not only x̂₀")
        }
        return try iterate(x, over: step, process: densityProcess, acceptance: &state.acceptance, noise: &noise)
    }

    private func iterate(
        _ start: Tensor, over step: TimeStep, process: some LogDensityProcess, acceptance: inout AcceptanceCounts,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        let t = step.start
        let m = process.marginal(at: t)
        let a = configuration.stepSize
        let n = start.shape[0]
        var x = start
        var (logDensity, denoised) = process.logDensityAndDenoised(x, at: t)
        var score = Prediction.score.value(fromDenoised: denoised, noisy: x, marginal: m)
        for _ in 0..<configuration.steps {
            let z = noise.normal(x.shape)
            let u = noise.uniform([n])
            let proposal = x + score * Float(a) + z * Float((2 * a).squareRoot())
            let (proposalLogDensity, proposalDenoised) = process.logDensityAndDenoised(proposal, at: t)
            let proposalScore = Prediction.score.value(fromDenoised: proposalDenoised, noisy: proposal, marginal: m)
            let backward = square(sampleNorms(x - proposal - proposalScore * Float(a))) * Float(-0.25 / a)
            let forward = square(sampleNorms(z)) * Float(-0.5)
            let logAcceptance = proposalLogDensity - logDensity + backward - forward
            // NaN in the proposal compares false: rejected, so the chain never turns non-finite.
            let accept = Tensor(
                zip(log(u).scalars, logAcceptance.scalars).map { $0 < $1 ? Float(1) : Float(0) })
            let acceptedCount = Int(accept.scalars.reduce(0, +))
            acceptance.record(step: step.index, proposed: n, accepted: acceptedCount)
            let rowMask = perSample(accept, like: x)
            x = select(rowMask, proposal, x)
            score = select(rowMask, proposalScore, score)
            denoised = select(rowMask, proposalDenoised, denoised)
            logDensity = select(accept, proposalLogDensity, logDensity)
        }
        return step.isFinalDenoising ? denoised : x
    }
}

extension MetropolisAdjustedLangevinSampler: LogDensitySampler {}

extension MetropolisAdjustedLangevinSampler: RegisteredComponent {
    public static let id: ComponentID = "mala"
    public static let summary = "Metropolis-adjusted Langevin algorithm (needs a log-density)"
}
