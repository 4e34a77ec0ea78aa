public import ScoreKitCore

extension SubVariancePreservingSDE {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// β_min = β(0), `beta_min` of score_sde.
        public var betaMin = 0.1
        /// β_max = β(1), `beta_max` of score_sde.
        public var betaMax = 20.0
        /// ε, the data end of the time range [ε, 1] (score_sde's training `eps`).
        public var minimumTime = 1e-5

        public init() {}

        public func validate() throws(ConfigurationError) {
            try validateNoiseRate(betaMin: betaMin, betaMax: betaMax)
            try validateMinimumTime(minimumTime, below: 1)
        }
    }
}

extension SubVariancePreservingSDE: RegisteredComponent {
    public static let id: ComponentID = "sub-variance-preserving"
    public static let summary = "sub-VP SDE, σ = 1 − α², g² = β(1 − α⁴) (Song et al. 2021)"
}
