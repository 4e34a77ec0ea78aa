public import ScoreKitCore

/// The network predicts the clean data x₀ directly (`prediction_type="sample"` in diffusers).
///
/// ```
/// F = x̂₀,   c_skip = 0,   c_out = 1,   c_in = 1
/// training target F* = x₀
/// ```
/// Well-conditioned at high noise and at zero terminal SNR, poor at low noise, where x is
/// already close to x₀; `edm` blends the two regimes.
public struct DenoisedPrediction: Parameterization {
    public typealias Configuration = EmptyConfiguration

    public init() {}

    public init(configuration: Configuration) {}

    /// The prediction the network makes.
    public var prediction: Prediction { .denoised }

    public func preconditioning(for marginal: Marginal) -> Preconditioning {
        prediction.preconditioning(for: marginal)
    }
}

extension DenoisedPrediction: RegisteredComponent {
    public static let id: ComponentID = "denoised"
    public static let summary = "The network predicts the clean data x₀"
}
