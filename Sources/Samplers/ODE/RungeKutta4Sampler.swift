public import ScoreKitCore

/// The classical 4th-order Runge–Kutta method (Kutta 1901) on the probability-flow ODE, in t.
///
/// ```
/// k₁ = F(x, t),  k₂ = F(x + (h/2)k₁, t + h/2),  k₃ = F(x + (h/2)k₂, t + h/2),  k₄ = F(x + h·k₃, t + h)
/// x_{i+1} = x + h·(k₁ + 2k₂ + 2k₃ + k₄)/6,   h = t_{i+1} − t_i
/// final step to t = 0: x₀ = x̂₀(x, t)
/// ```
/// Four model evaluations per step (4N, or 4N − 3 when the last step goes to t = 0); order 4.
/// score_sde's likelihood and `ode_sampler` use an adaptive RK45 instead (`rk45`).
/// - Limitations: at few steps the error near t = 0 of VP-type processes dominates; the
///   exponential integrators (`dpm-solver`, `dpm-solver-plus-plus`) do better per evaluation there.
public struct RungeKutta4Sampler: Sampler {
    /// No settings.
    public struct Configuration: ComponentConfiguration, Equatable {
        public init() {}
    }

    public let configuration: Configuration

    public init() { configuration = Configuration() }

    public init(configuration: Configuration) { self.configuration = configuration }

    public var order: Int? { 4 }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout Void, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        try probabilityFlowStep(.rungeKutta4, x, over: step, process: process)
    }

    public func evaluationCount(forStepCount stepCount: Int) -> Int { 4 * stepCount }
}

extension RungeKutta4Sampler: RegisteredComponent {
    public static let id: ComponentID = "rk4"
    public static let summary = "The classical 4th-order Runge–Kutta method on the probability-flow ODE"
}
