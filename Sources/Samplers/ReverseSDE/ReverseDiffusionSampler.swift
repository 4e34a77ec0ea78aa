public import ScoreKitCore

/// The reverse-diffusion predictor: the forward process's own discretisation, run backward
/// (Song et al. 2021, eq. 46 and App. E).
///
/// ```
/// forward step s → t (exact):   x_t = a·x_s + b·z,   a = α_t/α_s,   b² = σ_t² − a²σ_s²
/// i.e. x_t = x_s + f_s + G·z with f_s = (a − 1)·x_s, G = b; reversed:
///     x_s = x_t − (a − 1)·x_t + b²·∇log p_t(x_t) + b·z,   z ~ N(0, I)
/// final step to s = 0: x₀ = x̂₀(x_t, t)   (Tweedie's formula)
/// ```
/// score_sde's `ReverseDiffusionPredictor`: for DDPM, a = √(1 − β_i), b² = β_i; for VE (SMLD),
/// a = 1, b² = σ_i² − σ_{i−1}². The default predictor of `predictor-corrector`. One model
/// evaluation per step; any affine process.
/// - Limitations: first order; not the DDPM posterior mean (see `ancestral`), though the two
///   agree to first order in the step.
public struct ReverseDiffusionSampler: Sampler {
    /// No settings: the step count lives in the time grid.
    public struct Configuration: ComponentConfiguration, Equatable {
        public init() {}
    }

    public init() {}

    public init(configuration: Configuration) {}

    public var order: Int? { nil }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout Void, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        if step.isFinalDenoising { return process.denoised(x, at: step.start) }
        let (a, b) = process.sde.transition(from: step.end, to: step.start)
        let score = process.score(x, at: step.start)
        let z = noise.normal(x.shape)
        return x * Float(2 - a) + score * Float(b * b) + z * Float(b)
    }
}

extension ReverseDiffusionSampler: RegisteredComponent {
    public static let id: ComponentID = "reverse-diffusion"
    public static let summary = "Reverse-diffusion predictor: the forward discretisation reversed (Song et al. 2021)"
}
