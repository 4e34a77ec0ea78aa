import Foundation
public import ScoreKitCore

/// The discrete DDPM chain (Ho et al. 2020) as a forward process on t ∈ [1/N, 1], step n at t = n/N.
///
/// ```
/// x_n = √(1 − β_n)·x_{n−1} + √β_n·z,   n = 1 … N        ᾱ_n = Π_{i≤n} (1 − β_i),   ᾱ₀ = 1
/// at t = n/N:   α = √ᾱ_n,   σ = √(1 − ᾱ_n)                 (exact)
/// between:      ᾱ(t) linear in t on [(n−1)/N, n/N]       (so is σ² = 1 − ᾱ)
///               α' = ᾱ'/(2α),   σ' = −ᾱ'/(2σ),   ᾱ' = N(ᾱ_n − ᾱ_{n−1}),   g² = −ᾱ'/ᾱ
/// λ → t:        ᾱ* = sigmoid(λ), then the linear segment's inverse
/// prior         N(0, I)
/// ```
/// β schedules: linear (1e-4 … 0.02), scaled-linear (Stable Diffusion) and cosine (improved
/// DDPM), with an optional rescale to zero terminal SNR; see `Configuration`. Between steps the
/// process is the VP SDE whose ᾱ is piecewise linear in t: exact at the steps, continuous, with
/// g² ≥ 0, and defined at t = 0 (ᾱ = 1, the final-step target) and at ᾱ_N = 0 (zero terminal
/// SNR), where an interpolation of log-SNR would not be. The transition between consecutive step
/// times is the chain's own step: a = √(1 − β_n), b² = β_n (`DiscretizedSDE`).
/// - Note: diffusers' timestep k is ScoreKit's step n = k + 1 (t = (k + 1)/N):
///   `alphas_cumprod[k]` = ᾱ_{k+1}. diffusers computes the schedule in Float32, ScoreKit in Double.
public struct DiscreteDDPMSDE: DiscretizedSDE {
    public let configuration: Configuration
    /// ᾱ_n = α(n/N)² for n = 0 … N (`alphas_cumprod`, with ᾱ₀ = 1 prepended).
    public let squaredSignalScales: [Double]
    /// 1 − ᾱ_n = σ(n/N)² for n = 0 … N, computed without cancellation.
    let squaredNoiseScales: [Double]

    /// The chain with the defaults: N = 1000, linear β from 1e-4 to 0.02.
    public init() {
        self.init(validated: Configuration())
    }

    /// The chain of `configuration`, validated.
    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.init(validated: configuration)
    }

    private init(validated configuration: Configuration) {
        self.configuration = configuration
        (squaredSignalScales, squaredNoiseScales) = Self.cumulativeSchedule(configuration)
    }

    /// N.
    public var stepCount: Int { configuration.trainStepCount }

    /// β₁ … β_N after any rescaling: β_n = 1 − ᾱ_n/ᾱ_{n−1}.
    public var betas: [Double] {
        (1...stepCount).map { 1 - squaredSignalScales[$0] / squaredSignalScales[$0 - 1] }
    }

    public var timeRange: ClosedRange<Double> { 1 / Double(stepCount)...1 }

    /// n/N for n = 1 … N.
    public var stepTimes: [Double] { (1...stepCount).map { Double($0) / Double(stepCount) } }

    public func marginal(at time: Double) -> Marginal {
        let count = Double(stepCount)
        let u = Swift.min(Swift.max(time, 0), 1) * count
        let n = Swift.min(Swift.max(Int(u.rounded(.up)), 1), stepCount)
        let w = u - Double(n - 1)
        let alphaBar = (1 - w) * squaredSignalScales[n - 1] + w * squaredSignalScales[n]
        let noise = (1 - w) * squaredNoiseScales[n - 1] + w * squaredNoiseScales[n]
        let slope = count * (squaredSignalScales[n] - squaredSignalScales[n - 1])  // ᾱ'
        let alpha = alphaBar.squareRoot()
        let sigma = noise.squareRoot()
        return Marginal(
            signalScale: alpha, noiseScale: sigma,
            signalScaleDerivative: 0.5 * slope / alpha, noiseScaleDerivative: -0.5 * slope / sigma)
    }

    public func time(forLogSignalToNoiseRatio logSignalToNoiseRatio: Double) -> Double {
        let target = sigmoid(logSignalToNoiseRatio)
        let targetNoise = sigmoid(-logSignalToNoiseRatio)
        guard target > squaredSignalScales[stepCount] else { return 1 }
        // The segment n with ᾱ_n ≤ ᾱ* < ᾱ_{n−1}: ᾱ decreases with n.
        var low = 1
        var high = stepCount
        while low < high {
            let mid = (low + high) / 2
            if squaredSignalScales[mid] <= target { high = mid } else { low = mid + 1 }
        }
        let n = low
        // Interpolate in whichever of ᾱ and 1 − ᾱ is the smaller, so that no digits cancel.
        let w =
            target > 0.5
            ? (targetNoise - squaredNoiseScales[n - 1]) / (squaredNoiseScales[n] - squaredNoiseScales[n - 1])
            : (squaredSignalScales[n - 1] - target) / (squaredSignalScales[n - 1] - squaredSignalScales[n])
        return (Double(n - 1) + Swift.min(Swift.max(w, 0), 1)) / Double(stepCount)
    }

    /// 1: the prior is N(0, I), as DDPM samples x_N.
    public var priorStandardDeviation: Double { 1 }
}
