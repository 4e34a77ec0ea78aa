public import ScoreKitCore

/// Euler's method on the probability-flow ODE, stepping in t.
///
/// ```
/// x_{i+1} = x_i + (t_{i+1} − t_i)·F(x_i, t_i),   F = f − ½g²·∇log p_t     (Song et al. 2021, eq. 13)
/// final step to t = 0: x₀ = x̂₀(x, t)
/// ```
/// One model evaluation per step; order 1. Not `euler-maruyama` (the reverse SDE) nor
/// k-diffusion's `sample_euler`, which steps in σ/α: that is `ddim` (η = 0), an exact integrator
/// of the linear part, hence far more accurate at few steps.
/// - Limitations: first order in t; on VP-type processes F grows like 1/t near t = 0, so a grid
///   uniform in t needs hundreds of steps.
public struct EulerSampler: Sampler {
    /// No settings.
    public struct Configuration: ComponentConfiguration, Equatable {
        public init() {}
    }

    public let configuration: Configuration

    public init() { configuration = Configuration() }

    public init(configuration: Configuration) { self.configuration = configuration }

    public var order: Int? { 1 }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout Void, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        try probabilityFlowStep(.euler, x, over: step, process: process)
    }
}

extension EulerSampler: RegisteredComponent {
    public static let id: ComponentID = "euler"
    public static let summary = "Euler's method on the probability-flow ODE (order 1)"
}
