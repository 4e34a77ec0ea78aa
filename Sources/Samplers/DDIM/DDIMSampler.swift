public import ScoreKitCore

/// Denoising diffusion implicit models (Song, Meng & Ermon 2021, eq. 12), for any affine process.
///
/// ```
/// x̂₀, ε̂ = the process's `denoisedAndNoise`: x̂₀(x_t, t) and (x_t − α_t·x̂₀)/σ_t (with clipping,
///          the clipped x̂₀ and the model's own ε̂, as diffusers' DDIMScheduler)
/// c  = η·σ_s·b/σ_t,   b² = σ_t² − (α_t/α_s)²σ_s²          (η times the DDPM posterior's std)
/// x_s = α_s·x̂₀ + √(σ_s² − c²)·ε̂ + c·z,   z ~ N(0, I)
/// final step to s = 0: x₀ = x̂₀
/// ```
/// η = 0 is deterministic: the first-order exponential integrator of the probability-flow ODE
/// (DPM-Solver-1, Lu et al. 2022), also k-diffusion's `sample_euler` in σ/α. η = 1 gives the
/// DDPM posterior's noise (`ancestral`). One model evaluation per step.
/// - Limitations: first order; η > 0 draws noise each step, so it is not a solver of the ODE
///   (`order` is `nil`) and needs more steps to converge.
public struct DDIMSampler: Sampler {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// η ∈ [0, 1], the fraction of the DDPM posterior's noise (DDIM's `eta`); 0 is deterministic.
        public var eta = 0.0

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard eta >= 0, eta <= 1 else {
                throw .outOfRange(key: "eta", value: "\(eta)", expected: "a number in [0, 1]")
            }
        }
    }

    public let configuration: Configuration

    /// The deterministic sampler, η = 0.
    public init() { configuration = Configuration() }

    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public var order: Int? { configuration.eta == 0 ? 1 : nil }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout Void, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        let (denoised, epsilon) = process.denoisedAndNoise(x, at: step.start)
        if step.end == 0 { return denoised }
        let ms = process.marginal(at: step.end)
        guard configuration.eta > 0 else {
            return denoised * Float(ms.signalScale) + epsilon * Float(ms.noiseScale)
        }
        let spread = configuration.eta * process.sde.posterior(at: step.end, given: step.start).standardDeviation
        let kept = Swift.max(ms.noiseScale * ms.noiseScale - spread * spread, 0).squareRoot()
        let z = noise.normal(x.shape)
        return denoised * Float(ms.signalScale) + epsilon * Float(kept) + z * Float(spread)
    }
}

extension DDIMSampler: RegisteredComponent {
    public static let id: ComponentID = "ddim"
    public static let summary = "DDIM (Song et al. 2021), deterministic at eta 0, DDPM noise at eta 1"
}
