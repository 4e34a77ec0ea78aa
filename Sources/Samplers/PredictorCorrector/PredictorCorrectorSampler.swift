public import ScoreKitCore

/// Predictor–corrector sampling (Song et al. 2021, §4.2, Algorithm 2): any sampler as the
/// predictor, any `Corrector` before each of its steps.
///
/// ```
/// for each step t_i → t_{i+1}:
///     x ← corrector(x at t_i)                 e.g. Langevin with the snr rule
///     x ← predictor(x, t_i → t_{i+1})         e.g. reverse diffusion, Euler–Maruyama, ancestral
/// ```
/// The corrector runs first, in the order of score_sde's `pc_sampler`, so it never runs at the
/// final-denoising time t = 0: N steps make `predictor.evaluationCount(forTimes:)` +
/// N·`corrector.evaluationsPerCorrection` evaluations (2N for reverse diffusion + one Langevin step). In a recipe:
/// ```yaml
/// sampler: {kind: predictor-corrector, predictor: {kind: reverse-diffusion},
///           corrector: {kind: langevin, snr: 0.16, steps: 1}}
/// ```
/// `predictor` names any registered sampler, `corrector` any registered corrector: both resolve
/// through the registry that makes this sampler (`NestedComponent`), so a plug-in module's
/// samplers and correctors nest as the standard ones do. Naming another `corrector.kind`
/// replaces the default corrector's keys.
/// - Limitations: stochastic: no ODE order.
public struct PredictorCorrectorSampler: Sampler {
    /// The predictor's own state, type-erased.
    public struct State: Sendable {
        var predictorState: any Sendable
    }

    public struct Configuration: ComponentConfiguration, Equatable {
        /// The predictor: any sampler.
        public var predictor = NestedComponent<any Sampler>(
            ReverseDiffusionSampler(), configuration: ReverseDiffusionSampler.Configuration())
        /// The corrector: any corrector.
        public var corrector = NestedComponent<any Corrector>(
            LangevinCorrector(), configuration: LangevinCorrector.Configuration())

        public init() {}
    }

    /// The sampler that moves in time.
    public let predictor: any Sampler
    /// The corrector applied before each predictor step.
    public let corrector: any Corrector

    /// `predictor` with `corrector` before each of its steps.
    public init(predictor: some Sampler, corrector: some Corrector) {
        self.predictor = predictor
        self.corrector = corrector
    }

    /// The predictor and corrector the configuration holds (made by the registry that resolved it).
    public init(configuration: Configuration) throws(ConfigurationError) {
        predictor = try configuration.predictor.component(key: "predictor")
        corrector = try configuration.corrector.component(key: "corrector")
    }

    public var order: Int? { nil }

    public func initialState(for problem: SamplingProblem) -> State {
        State(predictorState: predictor.initialState(for: problem))
    }

    public func evaluationCount(forStepCount stepCount: Int) -> Int {
        predictor.evaluationCount(forStepCount: stepCount) + stepCount * corrector.evaluationsPerCorrection
    }

    public func evaluationCount(forTimes times: [Double]) -> Int {
        predictor.evaluationCount(forTimes: times) + Swift.max(times.count - 1, 0) * corrector.evaluationsPerCorrection
    }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout State, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        let corrected = try corrector.correct(x, over: step, process: process, noise: &noise)
        return try Self.predict(
            with: predictor, corrected, over: step, state: &state.predictorState, process: process, noise: &noise)
    }

    private static func predict<P: Sampler>(
        with predictor: P, _ x: Tensor, over step: TimeStep, state: inout any Sendable, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        guard var typed = state as? P.State else {
            preconditionFailure("predictor state of \(P.self) has type \(type(of: state)), not \(P.State.self)")
        }
        let result = try predictor.step(x, over: step, state: &typed, process: process, noise: &noise)
        state = typed
        return result
    }
}

extension PredictorCorrectorSampler: RegisteredComponent {
    public static let id: ComponentID = "predictor-corrector"
    public static let summary = "Any predictor (sampler) with any corrector before each step (Song et al. 2021)"
}

extension PredictorCorrectorSampler: CompositeSampler {
    public var nestedSamplers: [(key: String, sampler: any Sampler)] { [("predictor", predictor)] }
}
