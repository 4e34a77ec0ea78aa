public import ScoreKitCore

/// The network predicts the noise ε: DDPM's parameterization (Ho et al. 2020, eq. 11).
///
/// ```
/// F = ε̂,   x̂₀ = (x − σ·ε̂)/α,   c_skip = 1/α,   c_out = −σ/α,   c_in = 1
/// training target F* = ε
/// ```
/// `prediction_type="epsilon"` in diffusers. Equivalent to score prediction up to the factor
/// −σ (ε = −σ·∇log p); ill-conditioned where α → 0 (zero terminal SNR), where x̂₀ is lost.
public struct EpsilonPrediction: Parameterization {
    public typealias Configuration = EmptyConfiguration

    public init() {}

    public init(configuration: Configuration) {}

    /// The prediction the network makes.
    public var prediction: Prediction { .epsilon }

    public func preconditioning(for marginal: Marginal) -> Preconditioning {
        prediction.preconditioning(for: marginal)
    }
}

extension EpsilonPrediction: RegisteredComponent {
    public static let id: ComponentID = "epsilon"
    public static let summary = "The network predicts the noise ε (DDPM; Ho et al. 2020)"
}
