public import ScoreKitCore

extension DiscreteDDPMSDE {
    /// How β₁ … β_N are spaced (diffusers' `beta_schedule`).
    public enum BetaSchedule: String, Codable, Sendable, CaseIterable {
        /// β_n evenly spaced from betaStart to betaEnd (Ho et al. 2020: 1e-4 … 0.02).
        case linear
        /// √β_n evenly spaced from √betaStart to √betaEnd (Stable Diffusion: 0.00085 … 0.012).
        case scaledLinear
        /// β_n = min(1 − ᾱ(n/N)/ᾱ((n−1)/N), 0.999), ᾱ(t) = cos²((π/2)(t + 0.008)/1.008)
        /// (Nichol & Dhariwal 2021; diffusers' `squaredcos_cap_v2`); ignores betaStart and betaEnd.
        case cosine
    }

    /// An optional change to the cumulative schedule after it is computed.
    public enum Rescale: String, Codable, Sendable, CaseIterable {
        /// ᾱ_n as the β schedule gives it.
        case none
        /// Shift and scale √ᾱ so that √ᾱ_N = 0 and √ᾱ₁ is unchanged: zero terminal SNR
        /// (Lin et al. 2024, Algorithm 1; diffusers' `rescale_betas_zero_snr`). Use with
        /// v- or x₀-prediction: ε-prediction cannot recover x₀ where α = 0.
        case zeroTerminalSNR
    }

    public struct Configuration: ComponentConfiguration, Equatable {
        /// N, the number of steps of the chain (`num_train_timesteps`).
        public var trainStepCount = 1000
        /// How the β_n are spaced.
        public var betaSchedule = BetaSchedule.linear
        /// β₁ (`beta_start`), for `linear` and `scaledLinear`.
        public var betaStart = 1e-4
        /// β_N (`beta_end`), for `linear` and `scaledLinear`.
        public var betaEnd = 0.02
        /// Zero terminal SNR or not.
        public var rescale = Rescale.none

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard trainStepCount >= 2, trainStepCount <= SizeCeiling.steps else {
                throw .outOfRange(
                    key: "trainStepCount", value: "\(trainStepCount)",
                    expected: "an integer from 2 to 1,000,000 (the ceiling for step counts)")
            }
            guard betaStart > 0, betaStart < 1 else {
                throw .outOfRange(key: "betaStart", value: "\(betaStart)", expected: "a number > 0 and < 1")
            }
            guard betaEnd >= betaStart, betaEnd < 1 else {
                throw .outOfRange(
                    key: "betaEnd", value: "\(betaEnd)", expected: "a number ≥ betaStart (\(betaStart)) and < 1")
            }
        }
    }
}

extension DiscreteDDPMSDE: RegisteredComponent {
    public static let id: ComponentID = "ddpm"
    public static let summary = "Discrete DDPM chain of N steps (Ho et al. 2020), linear/scaled-linear/cosine β"
}
