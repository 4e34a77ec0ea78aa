import ScoreKitCore

extension ExplicitScoreMatching {
    /// The keys of `ScoreMatchingConfiguration`.
    public typealias Configuration = ScoreMatchingConfiguration
}
