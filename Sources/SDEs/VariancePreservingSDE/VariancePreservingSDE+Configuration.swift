public import ScoreKitCore

extension VariancePreservingSDE {
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

extension VariancePreservingSDE: RegisteredComponent {
    public static let id: ComponentID = "variance-preserving"
    public static let summary = "VP SDE, linear β(t) (Song et al. 2021; continuous-time DDPM)"
}

/// β_min ≥ 0, β_max > β_min, both finite.
func validateNoiseRate(betaMin: Double, betaMax: Double) throws(ConfigurationError) {
    guard betaMin >= 0, betaMin.isFinite else {
        throw .outOfRange(key: "betaMin", value: "\(betaMin)", expected: "a finite number ≥ 0")
    }
    guard betaMax > betaMin, betaMax.isFinite else {
        throw .outOfRange(key: "betaMax", value: "\(betaMax)", expected: "a finite number > betaMin (\(betaMin))")
    }
}

/// 0 < minimumTime < `upper` (or 0 ≤ when `allowingZero`).
func validateMinimumTime(_ value: Double, below upper: Double, allowingZero: Bool = false) throws(ConfigurationError) {
    guard (allowingZero ? value >= 0 : value > 0), value < upper else {
        throw .outOfRange(
            key: "minimumTime", value: "\(value)",
            expected: "a number \(allowingZero ? "≥" : ">") 0 and < \(upper)")
    }
}
