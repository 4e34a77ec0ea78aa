public import ScoreKitCore

extension DenoisingScoreMatching {
    /// λ(t), the weight of the squared score error at time t.
    public enum Weighting: String, Codable, Sendable, CaseIterable {
        /// λ = σ²: NCSN, and DDPM's L_simple with ε-prediction.
        case noiseVariance
        /// λ = g(t)²: the likelihood weighting (maximum likelihood training).
        case likelihood
        /// λ = 1.
        case unit
        /// λ = σ²·SNR = α²: the ε-error weighted by the signal-to-noise ratio.
        case signalToNoise
        /// Min-SNR-γ: λ = σ²·min(SNR, γ)/SNR.
        case minSignalToNoise
    }

    /// How training times are drawn.
    public enum TimeDistribution: String, Codable, Sendable, CaseIterable {
        /// t ~ U[t_min, t_max] over the process's time range.
        case uniform
        /// One of `levelCount` geometric noise levels from `sigmaMax` to `sigmaMin`, uniformly (NCSN).
        case noiseLevels
        /// ln σ ~ N(`logNormalMean`, `logNormalStandardDeviation`²) (EDM's P_mean, P_std).
        case logNormal
        /// One of `discreteStepCount` evenly spaced times t_1 … t_N over the range (ends
        /// included), uniformly: n ~ U{1 … N}, DDPM's integer steps. For the discrete DDPM process
        /// with the same N, t_n = n/N is exactly its step n.
        case discreteSteps
    }

    /// How the squared error is reduced over a sample's dimensions.
    public enum Reduction: String, Codable, Sendable, CaseIterable {
        case mean
        case sum
    }

    public struct Configuration: ComponentConfiguration, Equatable {
        public var weighting = Weighting.noiseVariance
        public var timeDistribution = TimeDistribution.uniform
        public var reduction = Reduction.mean
        /// L, the number of noise levels for `noiseLevels`.
        public var levelCount = 10
        /// σ_max of the noise levels.
        public var sigmaMax = 10.0
        /// σ_min of the noise levels.
        public var sigmaMin = 0.01
        /// P_mean of the log-normal time distribution.
        public var logNormalMean = -1.2
        /// P_std of the log-normal time distribution.
        public var logNormalStandardDeviation = 1.2
        /// γ of min-SNR-γ weighting.
        public var gamma = 5.0
        /// N, the number of steps for `discreteSteps` (DDPM: 1000).
        public var discreteStepCount = 1000
        /// p, the probability of replacing a sample's label by the null label (classifier-free guidance).
        public var labelDropout = 0.0

        public init() {}

        public func validate() throws(ConfigurationError) {
            try TimeSampling.validate(
                levelCount: levelCount, sigmaMax: sigmaMax, sigmaMin: sigmaMin,
                logNormalStandardDeviation: logNormalStandardDeviation, discreteStepCount: discreteStepCount)
            guard gamma > 0 else { throw .outOfRange(key: "gamma", value: "\(gamma)", expected: "a number > 0") }
            try LabelDropout.validate(labelDropout)
        }
    }
}

extension DenoisingScoreMatching: RegisteredComponent {
    public static let id: ComponentID = "denoising-score-matching"
    public static let summary = "Denoising score matching with weighting λ(t) (NCSN σ², likelihood g², …)"
}
