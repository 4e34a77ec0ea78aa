public import ScoreKitCore

/// Euler ancestral sampling of k-diffusion (`sample_euler_ancestral`, Crowson 2022), for any
/// affine process through the scaled variable x/α.
///
/// ```
/// x̃ = x/α, σ̃ = σ/α (the noise level), step σ̃ → σ̃' :
///     σ_up   = min(σ̃', η·√(σ̃'²·(σ̃² − σ̃'²)/σ̃²)),   σ_down = √(σ̃'² − σ_up²)
///     d      = (x̃ − x̂₀)/σ̃
///     x̃'     = x̃ + (σ_down − σ̃)·d + s_noise·σ_up·z,   z ~ N(0, I)
///     x'     = α'·x̃'        (α' = α at the step's end)
/// final step to t = 0: x₀ = x̂₀(x, t)
/// ```
/// An Euler (DDIM) step down to σ_down, then fresh noise back up to σ̃'. With η = 1 the step's
/// noise is that of the DDPM posterior (it is DDIM with η = 1 up to the Euler step); η = 0 is
/// the deterministic Euler sampler. One model evaluation per step.
/// - Limitations: first order; with η > 0 the noise injected at every step makes it converge
///   slowly in the step count (k-diffusion's docs recommend it for visual diversity, not accuracy).
public struct EulerAncestralSampler: Sampler {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// η, the fraction of the ancestral noise re-injected (k-diffusion's `eta`); 0 is deterministic.
        public var eta = 1.0
        /// s_noise, a factor on the injected noise (k-diffusion's `s_noise`, EDM's S_noise).
        public var sNoise = 1.0

        public init() {}

        public func validate() throws(ConfigurationError) {
            try requireNonNegative(eta, key: "eta")
            try requireNonNegative(sNoise, key: "sNoise")
        }
    }

    public let configuration: Configuration

    public init() { configuration = Configuration() }

    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public var order: Int? { nil }

    public func step(
        _ x: Tensor, over step: TimeStep, state: inout Void, process: some ReverseProcess,
        noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        let denoised = process.denoised(x, at: step.start)
        if step.isFinalDenoising { return denoised }
        let (ms, me) = (process.marginal(at: step.start), process.marginal(at: step.end))
        let (sigma, next) = (ms.noiseLevel, me.noiseLevel)
        let up = Swift.min(next, configuration.eta * (next * next * (sigma * sigma - next * next)).squareRoot() / sigma)
        let down = Swift.max(next * next - up * up, 0).squareRoot()
        let scaled = x * Float(1 / ms.signalScale)
        let direction = (scaled - denoised) * Float(1 / sigma)
        let z = noise.normal(x.shape)
        let stepped = scaled + direction * Float(down - sigma) + z * Float(configuration.sNoise * up)
        return stepped * Float(me.signalScale)
    }
}

extension EulerAncestralSampler: RegisteredComponent {
    public static let id: ComponentID = "euler-ancestral"
    public static let summary = "Euler ancestral sampler of k-diffusion (eta, sNoise)"
}
