public import ScoreKitCore

/// The network predicts the velocity u = α'·x₀ + σ'·ε = dx_t/dt of the process's interpolation
/// (flow matching, Lipman et al. 2023; rectified flow, Liu et al. 2023).
///
/// ```
/// F = û,   x̂₀ = (σ·û − σ'·x)/(α'σ − ασ'),   c_skip = −σ'/(α'σ − ασ'),   c_out = σ/(α'σ − ασ'),   c_in = 1
/// training target F* = α'·x₀ + σ'·ε          (ε − x₀ for the linear interpolant)
/// ```
/// E[u | x_t] is the probability-flow ODE velocity f − ½g²·∇log p_t for every affine process.
/// Needs α'σ ≠ ασ', i.e. a log-SNR that moves with t. Not v-prediction (Salimans & Ho 2022).
public struct FlowVelocityPrediction: Parameterization {
    public typealias Configuration = EmptyConfiguration

    public init() {}

    public init(configuration: Configuration) {}

    /// The prediction the network makes.
    public var prediction: Prediction { .flowVelocity }

    public func preconditioning(for marginal: Marginal) -> Preconditioning {
        prediction.preconditioning(for: marginal)
    }
}

extension FlowVelocityPrediction: RegisteredComponent {
    public static let id: ComponentID = "flow-velocity"
    public static let summary = "The network predicts the flow velocity u = α'x₀ + σ'ε (flow matching)"
}
