import ScoreKitCore

extension ImplicitScoreMatching {
    /// The keys of `ScoreMatchingConfiguration`.
    public typealias Configuration = ScoreMatchingConfiguration
}
