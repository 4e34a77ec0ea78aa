public import ScoreKitCore

/// The network predicts v = α·ε − σ·x₀ (Salimans & Ho 2022, progressive distillation, App. D).
///
/// ```
/// F = v̂,   x̂₀ = (α·x − σ·v̂)/(α² + σ²),   c_skip = α/(α² + σ²),   c_out = −σ/(α² + σ²),   c_in = 1
/// training target F* = α·ε − σ·x₀
/// ```
/// `prediction_type="v_prediction"` in diffusers; for VP processes (α² + σ² = 1) v is the
/// angular velocity dx/dφ at φ = atan(σ/α). Works at zero terminal SNR. Not the flow velocity u.
public struct VelocityPrediction: Parameterization {
    public typealias Configuration = EmptyConfiguration

    public init() {}

    public init(configuration: Configuration) {}

    /// The prediction the network makes.
    public var prediction: Prediction { .velocity }

    public func preconditioning(for marginal: Marginal) -> Preconditioning {
        prediction.preconditioning(for: marginal)
    }
}

extension VelocityPrediction: RegisteredComponent {
    public static let id: ComponentID = "velocity"
    public static let summary = "The network predicts v = αε − σx₀ (Salimans & Ho 2022)"
}
