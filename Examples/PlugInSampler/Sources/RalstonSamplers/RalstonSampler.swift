public import ScoreKitCore

/// Ralston's second-order Runge–Kutta method on the probability-flow ODE, stepping in t.
///
/// ```
/// k₁ = F(x_i, t_i),   k₂ = F(x_i + ⅔h·k₁, t_i + ⅔h),   x_{i+1} = x_i + h·(¼k₁ + ¾k₂),   h = t_{i+1} − t_i
/// final step to t = 0: x₀ = x̂₀(x, t)
/// ```
/// Of the explicit two-stage methods of order 2, Ralston's has the smallest bound on the local
/// truncation error (Ralston 1962); Heun's (c₂ = 1) and the midpoint rule (c₂ = ½) are its
/// siblings in ScoreKit. Two model evaluations per step, one for a final step to t = 0.
/// - Limitations: second order in t; VP-type processes need grids dense near t = 0.
public struct RalstonSampler: Sampler {
    /// No settings.
    public struct Configuration: ComponentConfiguration, Equatable {
        public init() {}
    }

    /// Ralston's tableau: c = (0, ⅔), a₂₁ = ⅔, b = (¼, ¾).
    static let tableau = ButcherTableau(
        nodes: [0, 2.0 / 3], coefficients: [[], [2.0 / 3]], weights: [0.25, 0.75], errorWeights: [])

    public init() {}

    public init(configuration: Configuration) {}

    public var order: Int? { 2 }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout Void, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        try probabilityFlowStep(Self.tableau, x, over: step, process: process)
    }

    public func evaluationCount(forStepCount stepCount: Int) -> Int { 2 * stepCount }
}

extension RalstonSampler: RegisteredComponent {
    public static let id: ComponentID = "ralston"
    public static let summary = "Ralston's 2nd-order Runge–Kutta method on the probability-flow ODE (a plug-in)"
}
