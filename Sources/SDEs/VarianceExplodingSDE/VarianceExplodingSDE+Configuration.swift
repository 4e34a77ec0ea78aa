public import ScoreKitCore

extension VarianceExplodingSDE {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// σ_min = σ(0), `sigma_min` of score_sde.
        public var sigmaMin = 0.01
        /// σ_max = σ(1), `sigma_max` of score_sde: the prior's standard deviation. Equal to
        /// `sigmaMin`, the process has one noise level σ at every time: denoising score matching
        /// at a fixed σ (Vincent 2011), sampled by Langevin dynamics at that σ.
        public var sigmaMax = 50.0
        /// ε, the data end of the time range [ε, 1] (score_sde's `eps`).
        public var minimumTime = 1e-5
        /// The marginal's variance: σ(t)² as score_sde's code has it (`scoreSDE`), or that of
        /// the SDE started from the data at t = 0, σ(t)² − σ_min² (`exact`).
        public var marginal: Marginal = .scoreSDE

        /// Which variance the VE marginal has.
        public enum Marginal: String, Codable, Sendable, CaseIterable {
            /// Var = σ(t)²: score_sde's `VESDE.marginal_prob`, the data at t = 0 already noised
            /// by N(0, σ_min²).
            case scoreSDE
            /// Var = σ(t)² − σ_min² = σ_min²·((σ_max/σ_min)^{2t} − 1): the solution of
            /// dx = √(d[σ²]/dt) dW from x(0) = x₀.
            case exact
        }

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard sigmaMin > 0, sigmaMin.isFinite else {
                throw .outOfRange(key: "sigmaMin", value: "\(sigmaMin)", expected: "a finite number > 0")
            }
            guard sigmaMax >= sigmaMin, sigmaMax.isFinite else {
                throw .outOfRange(
                    key: "sigmaMax", value: "\(sigmaMax)",
                    expected: "a finite number ≥ sigmaMin (\(sigmaMin)); equal to it for one fixed noise level")
            }
            if sigmaMax == sigmaMin, marginal == .exact {
                throw .outOfRange(
                    key: "marginal", value: "exact",
                    expected: "scoreSDE when sigmaMin = sigmaMax: the exact marginal's variance σ(t)² − sigmaMin² is 0")
            }
            try validateMinimumTime(minimumTime, below: 1, allowingZero: true)
        }
    }
}

extension VarianceExplodingSDE: RegisteredComponent {
    public static let id: ComponentID = "variance-exploding"
    public static let summary = "VE SDE, geometric σ(t) (Song et al. 2021; continuous NCSN)"
}

/// 0 < σ_min < σ_max, both finite.
func validateNoiseLevels(sigmaMin: Double, sigmaMax: Double) throws(ConfigurationError) {
    guard sigmaMin > 0, sigmaMin.isFinite else {
        throw .outOfRange(key: "sigmaMin", value: "\(sigmaMin)", expected: "a finite number > 0")
    }
    guard sigmaMax > sigmaMin, sigmaMax.isFinite else {
        throw .outOfRange(key: "sigmaMax", value: "\(sigmaMax)", expected: "a finite number > sigmaMin (\(sigmaMin))")
    }
}
