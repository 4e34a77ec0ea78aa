public import ScoreKitCore

/// The explicit midpoint method on the probability-flow ODE, stepping in t.
///
/// ```
/// k₁ = F(x_i, t_i),   x_{i+1} = x_i + h·F(x_i + (h/2)·k₁, t_i + h/2),   h = t_{i+1} − t_i
/// final step to t = 0: x₀ = x̂₀(x, t)
/// ```
/// Two model evaluations per step (2N, or 2N − 1 when the last step goes to t = 0); order 2.
/// Not k-diffusion's `sample_dpm_2`, which is a midpoint rule in log σ.
/// - Limitations: second order in t; VP-type processes need grids that are dense near t = 0.
public struct MidpointSampler: Sampler {
    /// No settings.
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
        try probabilityFlowStep(.midpoint, x, over: step, process: process)
    }

    public func evaluationCount(forStepCount stepCount: Int) -> Int { 2 * stepCount }
}

extension MidpointSampler: RegisteredComponent {
    public static let id: ComponentID = "midpoint"
    public static let summary = "The explicit midpoint method on the probability-flow ODE (order 2)"
}
