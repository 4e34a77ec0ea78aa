public import ScoreKitCore

/// Heun's method (the explicit trapezoidal rule) on the probability-flow ODE, stepping in t.
///
/// ```
/// k₁ = F(x_i, t_i),   k₂ = F(x_i + h·k₁, t_{i+1}),   x_{i+1} = x_i + h·(k₁ + k₂)/2,   h = t_{i+1} − t_i
/// final step to t = 0: x₀ = x̂₀(x, t)
/// ```
/// Two model evaluations per step: 2N on a grid ending at t > 0, 2N − 1 when the last step goes
/// to t = 0 (as EDM counts it); order 2. Karras et al. (2022) use Heun in σ/α instead, with
/// stochastic churn: that is `edm-heun`.
/// - Limitations: second order in t; VP-type processes need grids that are dense near t = 0.
public struct HeunSampler: Sampler {
    /// No settings; for Karras et al.'s churn, see `edm-heun`.
    public struct Configuration: ComponentConfiguration, Equatable {
        public init() {}
    }

    public let configuration: Configuration

    public init() { configuration = Configuration() }

    public init(configuration: Configuration) { self.configuration = configuration }

    public var order: Int? { 2 }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout Void, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        try probabilityFlowStep(.heun, x, over: step, process: process)
    }

    public func evaluationCount(forStepCount stepCount: Int) -> Int { 2 * stepCount }
}

extension HeunSampler: RegisteredComponent {
    public static let id: ComponentID = "heun"
    public static let summary = "Heun's 2nd-order method on the probability-flow ODE in t"
}
