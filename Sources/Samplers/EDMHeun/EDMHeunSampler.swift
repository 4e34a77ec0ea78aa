import Foundation
public import ScoreKitCore

/// The stochastic Heun sampler of EDM (Karras et al. 2022, Algorithm 2), for any affine process
/// through the scaled variable x̃ = x/α and the noise level σ̃ = σ/α.
///
/// ```
/// γ = min(churn/N, √2 − 1) if sMin ≤ σ̃_i ≤ sMax, else 0           (N: the run's steps)
/// σ̂ = (1 + γ)·σ̃_i,  t̂ = t(λ = −2 log σ̂),  x̂ = x̃_i + √(σ̂² − σ̃_i²)·sNoise·z,   z ~ N(0, I)
/// d = (x̂ − D(x̂; σ̂))/σ̂,   x̃' = x̂ + (σ̃_{i+1} − σ̂)·d                          (Euler)
/// d' = (x̃' − D(x̃'; σ̃_{i+1}))/σ̃_{i+1},   x̃_{i+1} = x̂ + (σ̃_{i+1} − σ̂)·(d + d')/2    (Heun)
/// final step to t = 0: x₀ = D(x̂; σ̂) (the Euler step to σ = 0)
/// ```
/// D(x̃; σ̃) = x̂₀(α·x̃, t) is the denoiser at the time t with noise level σ̃; the churned time t̂
/// comes from the process's `time(forLogSignalToNoiseRatio:)`. On `edm` (α = 1, σ = t) with the
/// `karras` grid and churn = 0 this is EDM's deterministic sampler, 2N − 1 evaluations for N
/// steps ending at σ = 0 (35 for 18 steps); otherwise 2N. With churn = 0 it is Heun's method on
/// dx̃/dσ̃ = (x̃ − D)/σ̃, second order; `heun` is Heun's method in t instead.
/// - Limitations: churn > 0 makes it stochastic (`order` is `nil`) and the best churn depends on
///   the data and network (EDM tunes S_churn, S_min, S_max, S_noise per data set); the churned
///   time may lie above the process's time range, where the model was not trained.
public struct EDMHeunSampler: Sampler {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// S_churn, the noise re-injected per run (γ = churn/N per step); 0 is deterministic.
        public var churn = 0.0
        /// S_min (S_tmin in k-diffusion): churn only where σ/α ≥ sMin.
        public var sMin = 0.0
        /// S_max (S_tmax): churn only where σ/α ≤ sMax.
        public var sMax = Double.infinity
        /// S_noise, a factor on the churn noise (slightly above 1 offsets the denoiser's bias).
        public var sNoise = 1.0

        public init() {}

        public func validate() throws(ConfigurationError) {
            try requireAtLeast(churn, 0, key: "churn")
            try requireAtLeast(sMin, 0, key: "sMin")
            guard sMax >= sMin, !sMax.isNaN else {
                throw .outOfRange(key: "sMax", value: "\(sMax)", expected: "a number ≥ sMin (\(sMin)), or .inf")
            }
            try requireAtLeast(sNoise, 0, key: "sNoise")
        }
    }

    public let configuration: Configuration

    /// EDM's deterministic sampler (churn 0).
    public init() { configuration = Configuration() }

    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public var order: Int? { configuration.churn == 0 ? 2 : nil }

    public func evaluationCount(forStepCount stepCount: Int) -> Int { 2 * stepCount }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout Void, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        let c = configuration
        let current = process.marginal(at: step.start)
        let sigma = current.noiseLevel
        let inRange = sigma >= c.sMin && sigma <= c.sMax
        let gamma = c.churn > 0 && inRange ? Swift.min(c.churn / Double(step.count), 2.squareRoot() - 1) : 0
        var scaled = x * Float(1 / current.signalScale)
        var (sigmaHat, timeHat, marginalHat) = (sigma, step.start, current)
        if gamma > 0 {
            sigmaHat = sigma * (1 + gamma)
            timeHat = process.sde.time(forLogSignalToNoiseRatio: -2 * Foundation.log(sigmaHat))
            marginalHat = process.marginal(at: timeHat)
            let z = noise.normal(x.shape)
            scaled = scaled + z * Float((sigmaHat * sigmaHat - sigma * sigma).squareRoot() * c.sNoise)
        }
        let denoised = process.denoised(scaled * Float(marginalHat.signalScale), at: timeHat)
        if step.end == 0 { return denoised }
        let next = process.marginal(at: step.end)
        let sigmaNext = next.noiseLevel
        let slope = (scaled - denoised) * Float(1 / sigmaHat)
        let euler = scaled + slope * Float(sigmaNext - sigmaHat)
        let denoisedNext = process.denoised(euler * Float(next.signalScale), at: step.end)
        let slopeNext = (euler - denoisedNext) * Float(1 / sigmaNext)
        let heun = scaled + (slope + slopeNext) * Float(0.5 * (sigmaNext - sigmaHat))
        return heun * Float(next.signalScale)
    }
}

extension EDMHeunSampler: RegisteredComponent {
    public static let id: ComponentID = "edm-heun"
    public static let summary = "EDM's Heun sampler in σ/α with stochastic churn (Karras et al. 2022)"
}
