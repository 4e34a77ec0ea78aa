public import ScoreKitCore

/// Euler–Maruyama on the reverse-time SDE (Song et al. 2021, eq. 6 and App. D).
///
/// ```
/// reverse SDE   dx = [f(x, t) − g(t)²·∇log p_t(x)] dt + g(t) dW̄
/// one step t → s < t, h = t − s:
///     x_s = x_t − [f(x_t, t) − g(t)²·∇log p_t(x_t)]·h + g(t)·√h·z,   z ~ N(0, I)
/// final step to s = 0: x₀ = x̂₀(x_t, t)   (Tweedie's formula, E[x₀ | x_t])
/// ```
/// score_sde's `EulerMaruyamaPredictor`; strong order ½, weak order 1 in h. One model evaluation
/// per step; any affine process. Aliases: "Euler–Maruyama predictor", k-diffusion's Euler
/// ancestral is a different discretisation (`euler-ancestral`).
/// - Note: Unlike score_sde, which returns the noise-free mean of its last step (`denoise=True`),
///   the last step here adds its noise; end the grid with `finalStep: toZero` to finish with
///   Tweedie's denoising instead.
/// - Limitations: first order in h: stiff near t = 0 for VE (g² grows like σ²) and at large
///   β for VP; 1000 steps are the reference setting.
public struct EulerMaruyamaSampler: Sampler {
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
        let h = step.start - step.end
        let m = process.marginal(at: step.start)
        let score = process.score(x, at: step.start)
        let z = noise.normal(x.shape)
        let g2 = m.diffusionSquared
        return x * Float(1 - m.driftCoefficient * h) + score * Float(g2 * h) + z * Float((g2 * h).squareRoot())
    }
}

extension EulerMaruyamaSampler: RegisteredComponent {
    public static let id: ComponentID = "euler-maruyama"
    public static let summary = "Euler–Maruyama on the reverse-time SDE (Song et al. 2021)"
}
