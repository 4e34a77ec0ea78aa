public import ScoreKitCore

/// The network predicts the score ∇ₓ log p_t(x) directly (NCSN, Song & Ermon 2019; Song et al. 2021).
///
/// ```
/// F = ŝ,   x̂₀ = (x + σ²·ŝ)/α   (Tweedie),   c_skip = 1/α,   c_out = σ²/α,   c_in = 1
/// training target F* = −ε/σ
/// ```
/// The target grows like 1/σ at small noise; NCSN divides the network by σ instead (an
/// ε-prediction in disguise). Look-alike: `EpsilonPrediction`, F = −σ·ŝ.
public struct ScorePrediction: Parameterization {
    public typealias Configuration = EmptyConfiguration

    public init() {}

    public init(configuration: Configuration) {}

    /// The prediction the network makes.
    public var prediction: Prediction { .score }

    public func preconditioning(for marginal: Marginal) -> Preconditioning {
        prediction.preconditioning(for: marginal)
    }
}

extension ScorePrediction: RegisteredComponent {
    public static let id: ComponentID = "score"
    public static let summary = "The network predicts the score ∇log p_t (NCSN; Song & Ermon 2019)"
}
