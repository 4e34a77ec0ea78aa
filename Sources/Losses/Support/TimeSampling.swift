import Foundation
import ScoreKitCore

/// How the denoising-type losses draw one training time per sample (DSM's `timeDistribution`
/// and the keys that go with it), shared by every loss that noises its data.
///
/// ```
/// uniform         t ~ U[t_min, t_max]
/// noiseLevels     σ̃ uniform over L geometric levels σ_max … σ_min, t = λ⁻¹(−2 ln σ̃)     (NCSN)
/// logNormal       ln σ̃ ~ N(P_mean, P_std²), t = λ⁻¹(−2 ln σ̃) clamped to the range         (EDM)
/// discreteSteps   n ~ U{1 … N}, t_n = t_min + (n − 1)/(N − 1)·(t_max − t_min)             (DDPM)
/// ```
/// σ̃ = σ/α is the noise level; λ⁻¹ is `ForwardSDE.time(forLogSignalToNoiseRatio:)`. Each draw
/// uses one uniform (or normal) per sample from its own stream.
struct TimeSampling: Sendable, Equatable {
    var distribution: DenoisingScoreMatching.TimeDistribution
    var levels: [Double]
    var logNormalMean: Double
    var logNormalStandardDeviation: Double
    var discreteStepCount: Int

    init(
        distribution: DenoisingScoreMatching.TimeDistribution, levelCount: Int, sigmaMax: Double, sigmaMin: Double,
        logNormalMean: Double, logNormalStandardDeviation: Double, discreteStepCount: Int
    ) {
        self.distribution = distribution
        levels = Self.geometricLevels(count: levelCount, sigmaMax: sigmaMax, sigmaMin: sigmaMin)
        self.logNormalMean = logNormalMean
        self.logNormalStandardDeviation = logNormalStandardDeviation
        self.discreteStepCount = discreteStepCount
    }

    /// One time per sample.
    func draw(count: Int, sde: some ForwardSDE, noise: inout some NoiseSource) -> [Double] {
        let range = sde.timeRange
        switch distribution {
        case .uniform:
            let u = noise.uniform([count]).scalars
            return u.map { range.lowerBound + Double($0) * (range.upperBound - range.lowerBound) }
        case .noiseLevels:
            let u = noise.uniform([count]).scalars
            return u.map { value in
                let k = Swift.min(Int(Double(value) * Double(levels.count)), levels.count - 1)
                return sde.time(forLogSignalToNoiseRatio: -2 * Foundation.log(levels[k]))
            }
        case .logNormal:
            let z = noise.normal([count]).scalars
            return z.map { value in
                let sigma = Foundation.exp(logNormalMean + logNormalStandardDeviation * Double(value))
                let t = sde.time(forLogSignalToNoiseRatio: -2 * Foundation.log(sigma))
                return Swift.min(Swift.max(t, range.lowerBound), range.upperBound)
            }
        case .discreteSteps:
            let u = noise.uniform([count]).scalars
            let steps = discreteStepCount
            return u.map { value in
                let n = Swift.min(Int(Double(value) * Double(steps)), steps - 1) + 1
                return Self.stepTime(n, of: steps, in: range)
            }
        }
    }

    /// t_n of N evenly spaced times over `range`, ends included (t_N = t_max; t₁ = t_max for N = 1).
    static func stepTime(_ n: Int, of count: Int, in range: ClosedRange<Double>) -> Double {
        guard count > 1 else { return range.upperBound }
        let w = Double(n - 1) / Double(count - 1)
        return n == count ? range.upperBound : range.lowerBound + w * (range.upperBound - range.lowerBound)
    }

    /// NCSN's geometric noise levels σ_max … σ_min (Song & Ermon 2019), largest first.
    static func geometricLevels(count: Int, sigmaMax: Double, sigmaMin: Double) -> [Double] {
        guard count > 1 else { return [sigmaMax] }
        let ratio = Foundation.log(sigmaMin / sigmaMax) / Double(count - 1)
        return (0..<count).map { sigmaMax * Foundation.exp(ratio * Double($0)) }
    }

    /// Checks the settings the keys of DSM's configuration name.
    static func validate(
        levelCount: Int, sigmaMax: Double, sigmaMin: Double, logNormalStandardDeviation: Double, discreteStepCount: Int
    ) throws(ConfigurationError) {
        try requireCount(levelCount, key: "levelCount", atMost: SizeCeiling.levels, of: "noise levels")
        guard sigmaMin > 0 else {
            throw .outOfRange(key: "sigmaMin", value: "\(sigmaMin)", expected: "a number > 0")
        }
        guard sigmaMax > sigmaMin else {
            // One level is a process of one noise level, not a time distribution: say where it goes.
            let fixed =
                sigmaMax == sigmaMin
                ? "; for one fixed noise level σ, give the process one (sde: { kind: variance-exploding, "
                    + "sigmaMin: σ, sigmaMax: σ }) and keep these keys' defaults"
                : ""
            throw .outOfRange(
                key: "sigmaMax", value: "\(sigmaMax)", expected: "a number > sigmaMin (\(sigmaMin))" + fixed)
        }
        guard logNormalStandardDeviation > 0 else {
            throw .outOfRange(
                key: "logNormalStandardDeviation", value: "\(logNormalStandardDeviation)", expected: "a number > 0")
        }
        try requireCount(discreteStepCount, key: "discreteStepCount", atMost: SizeCeiling.steps, of: "step counts")
    }
}
