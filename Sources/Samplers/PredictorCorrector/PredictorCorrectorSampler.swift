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
/// `predictor` names any sampler of this module; `corrector` any corrector of this module.
/// - Limitations: nested components resolve against this module's own samplers and
///   correctors (a plug-in predictor is composed in code with `init(predictor:corrector:)`);
///   switching `corrector.kind` to one without `snr`, `steps`, `stepRule` needs those keys removed, since
///   the defaults merge key by key. Stochastic: no ODE order.
public struct PredictorCorrectorSampler: Sampler {
    /// The predictor's own state, type-erased.
    public struct State: Sendable {
        var predictorState: any Sendable
    }

    public struct Configuration: ComponentConfiguration, Equatable {
        /// The predictor: any sampler.
        public var predictor = NestedComponent(kind: "reverse-diffusion")
        /// The corrector.
        public var corrector = NestedComponent(
            kind: "langevin", settings: ["snr": 0.16, "steps": 1, "stepRule": "expectedNorms"])

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

    public init(configuration: Configuration) throws(ConfigurationError) {
        let registry = ComponentRegistry.samplerParts
        predictor = try configuration.predictor.make(.sampler, key: "predictor", registry: registry)
        corrector = try configuration.corrector.make(.corrector, key: "corrector", registry: registry)
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

extension ComponentRegistry {
    /// This module's samplers and correctors, against which nested `predictor`/`corrector`
    /// sections resolve.
    static let samplerParts: ComponentRegistry = {
        var registry = ComponentRegistry()
        registry.registerSamplers()
        return registry
    }()
}
