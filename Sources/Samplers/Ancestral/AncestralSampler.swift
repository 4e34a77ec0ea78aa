public import ScoreKitCore

/// Ancestral sampling: draws from the forward process's posterior q(x_s | x_t, x₀) with x₀
/// replaced by the model's x̂₀ (Ho et al. 2020, Algorithm 2; Song et al. 2021, App. F for SMLD).
///
/// ```
/// a = α_t/α_s,   b² = σ_t² − a²σ_s²              (the exact forward transition s → t)
/// x_s = (a·σ_s²/σ_t²)·x_t + (α_s·b²/σ_t²)·x̂₀(x_t, t) + std·z,   z ~ N(0, I)
/// std² = b²·σ_s²/σ_t²   (variance: posterior, β̃_t; DDPM's "fixedsmall")
/// std² = b²             (variance: forward,   β_t; DDPM's "fixedlarge")
/// final step to s = 0: x₀ = x̂₀(x_t, t)
/// ```
/// On `ddpm` with a grid of its step times (`discrete` with `steps` = N, or any subset) this
/// is DDPM's sampler; on `variance-exploding` it is SMLD's ancestral sampler (a = 1,
/// b² = σ_t² − σ_s²). Every ScoreKit process is affine with Gaussian transitions, so the
/// posterior is exact between any two grid times; with skipped times it is DDIM with η = 1.
/// One model evaluation per step.
/// - Note: score_sde's VP `AncestralSamplingPredictor` uses the approximate mean
///   (x + β·s)/√(1 − β) with the forward variance; the posterior mean here is DDPM's own.
/// - Limitations: needs a process whose σ/α increases along the grid (every ScoreKit process);
///   first order in the step when the grid skips times.
public struct AncestralSampler: Sampler {
    /// The variance of each ancestral step (DDPM's `variance_type`).
    public enum Variance: String, Codable, Sendable, CaseIterable {
        /// β̃_t = b²·σ_s²/σ_t², the posterior's own ("fixedsmall"): exact when x̂₀ is exact.
        case posterior
        /// β_t = b², the forward transition's ("fixedlarge").
        case forward
    }

    public struct Configuration: ComponentConfiguration, Equatable {
        /// The variance of each step.
        public var variance = Variance.posterior

        public init() {}
    }

    public let configuration: Configuration

    public init() { configuration = Configuration() }

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public var order: Int? { nil }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout Void, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        let denoised = process.denoised(x, at: step.start)
        if step.isFinalDenoising { return denoised }
        let posterior = process.sde.posterior(at: step.end, given: step.start)
        let spread: Double
        switch configuration.variance {
        case .posterior: spread = posterior.standardDeviation
        case .forward: spread = process.sde.transition(from: step.end, to: step.start).noiseScale
        }
        let z = noise.normal(x.shape)
        return x * Float(posterior.noisyScale) + denoised * Float(posterior.dataScale) + z * Float(spread)
    }
}

extension AncestralSampler: RegisteredComponent {
    public static let id: ComponentID = "ancestral"
    public static let summary = "Ancestral sampling from the posterior q(x_s | x_t, x̂₀) (DDPM, SMLD)"
}
