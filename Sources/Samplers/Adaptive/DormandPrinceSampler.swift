public import ScoreKitCore

/// The Dormand–Prince 5(4) Runge–Kutta pair with adaptive step-size control, on the
/// probability-flow ODE or any `VectorField`: score_sde's `ode_sampler` and likelihood solver
/// (scipy's `RK45`), diffrax's `Dopri5` with a `PIDController`.
///
/// ```
/// 7 stages, first same as last (the 7th is F at the new point: 6 new evaluations per attempt)
/// y₁ = y + h·Σ bᵢkᵢ (order 5),   error = h·Σ (bᵢ − b̂ᵢ)kᵢ (against the embedded order 4)
/// accept when ‖error/(atol + rtol·max(|y|, |y₁|))‖_RMS ≤ 1, per sample; then h ← h·factor
/// ```
/// (Dormand & Prince 1980; control as Hairer, Nørsett & Wanner 1993, §II.4, see `StepSizeControl`.)
/// Run it with `runAdaptive(_:process:times:initial:)`, which uses only the ends of a time
/// grid; every sample gets its own steps, so a sample's result never depends on its batch, and
/// `sampleEvaluationCounts` reports each sample's evaluations: 1 + 1 (initial step) + 6 per
/// attempt. As a plain `Sampler` on a grid (`runSampler`) it takes one fixed 5th-order step per
/// grid interval, 6 evaluations each.
/// - Limitations: explicit, so stiff dynamics (very large β_max, t → 0 on VP) force small steps;
///   `maximumEvaluationCount` bounds the cost and the error says where it gave up.
public struct DormandPrinceSampler: AdaptiveSampler {
    public let configuration: Configuration

    /// rtol = atol = 1e-5, as score_sde.
    public init() { configuration = Configuration() }

    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public var order: Int? { 5 }

    public var embeddedOrder: Int { 4 }

    public var control: StepSizeControl { configuration.control }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout Void, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        try probabilityFlowStep(.dormandPrince, x, over: step, process: process)
    }

    public func evaluationCount(forStepCount stepCount: Int) -> Int { 6 * stepCount }

    public func attempt(
        _ y: Tensor, velocity: Tensor, times: [Double], sizes: [Double], field: some VectorField
    ) throws(SamplingError) -> AdaptiveAttempt {
        let tableau = ButcherTableau.dormandPrince
        var k = try tableau.stages(count: 6, y, velocity: velocity, times: times, sizes: sizes, field: field)
        let proposal = tableau.solution(y, stages: k, sizes: sizes)
        let end = zip(times, sizes).map { $0 + $1 }
        k.append(try field.velocity(proposal, at: end))
        return AdaptiveAttempt(
            proposal: proposal, errorEstimate: tableau.errorEstimate(stages: k, sizes: sizes, like: y),
            endVelocity: k[6], evaluationCount: 6)
    }
}

extension DormandPrinceSampler: RegisteredComponent {
    public static let id: ComponentID = "rk45"
    public static let summary = "Adaptive Dormand–Prince 5(4) on the probability-flow ODE (rtol, atol)"
}
