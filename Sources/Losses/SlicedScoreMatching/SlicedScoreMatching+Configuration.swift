public import ScoreKitCore

extension SlicedScoreMatching {
    /// Which estimator of ½E‖s_θ − ∇log p‖².
    public enum Variant: String, Codable, Sendable, CaseIterable {
        /// SSM: vᵀ∇ₓ(vᵀs) + ½(vᵀs)².
        case standard
        /// SSM-VR: vᵀ∇ₓ(vᵀs) + ½‖s‖², the second term in closed form (lower variance).
        case varianceReduced
    }

    /// The distribution of the projections v (both have E[vvᵀ] = I).
    public enum Projection: String, Codable, Sendable, CaseIterable {
        /// v ~ N(0, I).
        case gaussian
        /// v with independent ±1 entries (Hutchinson 1989).
        case rademacher
    }

    public struct Configuration: ComponentConfiguration, Equatable, ScoreMatchingSettings {
        public var variant = Variant.varianceReduced
        public var projection = Projection.gaussian
        /// M, the projections per sample.
        public var projectionCount = 1
        /// `clean` (x₀ at `fixedTime`) or `perturbed` (x_t at a drawn t).
        public var data = ScoreMatchingData.perturbed
        /// The time the model is evaluated at on clean data, clamped to the process's range (σ there must be > 0).
        public var fixedTime = 0.0
        /// The times of perturbed data, as DSM's `timeDistribution` (with the keys below).
        public var timeDistribution = DenoisingScoreMatching.TimeDistribution.uniform
        /// λ(t) on perturbed data, as DSM's `weighting` (1 on clean data).
        public var weighting = DenoisingScoreMatching.Weighting.noiseVariance
        public var reduction = DenoisingScoreMatching.Reduction.mean
        /// L of `noiseLevels`.
        public var levelCount = 10
        /// σ_max of `noiseLevels`.
        public var sigmaMax = 10.0
        /// σ_min of `noiseLevels`.
        public var sigmaMin = 0.01
        /// P_mean of `logNormal`.
        public var logNormalMean = -1.2
        /// P_std of `logNormal`.
        public var logNormalStandardDeviation = 1.2
        /// N of `discreteSteps`.
        public var discreteStepCount = 1000
        /// γ of `minSignalToNoise`.
        public var gamma = 5.0
        /// p, the probability of replacing a sample's label by the null label (classifier-free guidance).
        public var labelDropout = 0.0

        public init() {}

        public func validate() throws(ConfigurationError) {
            try requireCount(
                projectionCount, key: "projectionCount", atMost: SizeCeiling.projections, of: "projection counts")
            try validateShared()
        }
    }
}
