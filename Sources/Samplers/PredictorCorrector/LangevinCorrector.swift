public import ScoreKitCore

/// Langevin dynamics with the signal-to-noise step rule of Song et al. (2021), Algorithm 5
/// (score_sde's `LangevinCorrector`).
///
/// ```
/// at t = step.start, `steps` times:
///     s = ∇log p_t(x),   z ~ N(0, I)
///     x ← x + ε·s + √(2ε)·z
/// ε_i = 2a·(r·‖z_i‖/‖s_i‖)²              stepRule: sampleNorms   (each sample's own norms)
/// ε   = 2a·r²·σ(t)²                      stepRule: expectedNorms (E‖z‖² = d, E‖s‖² ≈ d/σ²)
/// ε   = 2a·(r·mean‖z‖/mean‖s‖)²          stepRule: batchNorms    (score_sde verbatim)
/// r = snr,   a = (α(t)/α(t'))², t' = step.end
/// ```
/// The step makes the drift ε‖s‖ about r√(2a)… times the noise √(2ε)‖z‖: the "signal-to-noise
/// ratio" r (0.16 for VE, 0.01 for VP on CIFAR-10 in score_sde). a is score_sde's α_i = 1 − β_i
/// for VP (the transition's squared scale over the step) and 1 for VE.
///
/// score_sde averages the norms over the batch (`batchNorms`), which makes every sample depend
/// on the others in its batch; the default `expectedNorms` replaces both norms by their
/// expectations where the noise dominates, E‖z‖² = d and E‖s‖² ≈ d/σ², which is what the batch
/// average estimates for high-dimensional data at all but the smallest noise levels; it is the
/// same for every sample and never depends on the batch. `sampleNorms` keeps each sample's
/// own ratio: batch-invariant too, but in low dimension ‖s_i‖ is often near 0 (at a mode's
/// centre), and 1/‖s_i‖² then throws the sample far away (on the 2-D ring a quarter of the
/// samples end off the modes); use it only for high-dimensional data.
/// - Limitations: `steps` evaluations per correction; `batchNorms` breaks the batch-size
///   invariance of sampling; too large an `snr` overshoots and can diverge, stopping with
///   `SamplingError.nonFinite`.
public struct LangevinCorrector: Corrector {
    /// How the step size ε follows from the snr.
    public enum StepRule: String, Codable, Sendable, CaseIterable {
        /// ε = 2a·r²·σ(t)², the norms replaced by their expectations; the same for all samples.
        case expectedNorms
        /// ε_i = 2a(r‖z_i‖/‖s_i‖)² from each sample's own norms; for high-dimensional data only.
        case sampleNorms
        /// ε = 2a(r·mean‖z‖/mean‖s‖)² with batch means, as score_sde; not batch-size invariant.
        case batchNorms
    }

    public struct Configuration: ComponentConfiguration, Equatable {
        /// r, the target signal-to-noise ratio (score_sde's `snr`).
        public var snr = 0.16
        /// Langevin iterations per correction (score_sde's `n_steps_each`).
        public var steps = 1
        /// How ε follows from r.
        public var stepRule = StepRule.expectedNorms

        public init() {}

        public func validate() throws(ConfigurationError) {
            try requirePositive(snr, key: "snr")
            try requireCount(steps, key: "steps")
        }
    }

    public let configuration: Configuration

    public init() { configuration = Configuration() }

    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public var evaluationsPerCorrection: Int { configuration.steps }

    public func correct(
        _ sample: Tensor, over step: TimeStep, process: some ReverseProcess, noise: inout some NoiseSource
    ) throws(SamplingError) -> Tensor {
        let t = step.start
        let scale = process.sde.transition(from: step.end, to: step.start).scale
        let a = scale * scale
        let r = configuration.snr
        var x = sample
        let sigma = process.marginal(at: t).noiseScale
        for _ in 0..<configuration.steps {
            let score = process.score(x, at: t)
            let z = noise.normal(x.shape)
            let stepSize: Tensor
            switch configuration.stepRule {
            case .expectedNorms:
                stepSize = Tensor.full([x.shape[0]], Float(2 * a * r * r * sigma * sigma))
            case .sampleNorms:
                let ratio = sampleNorms(z) / Tensor.maximum(sampleNorms(score), Tensor(Float.leastNormalMagnitude))
                stepSize = square(ratio) * Float(2 * a * r * r)
            case .batchNorms:
                let ratio =
                    sampleNorms(z).mean()
                    / Tensor.maximum(sampleNorms(score).mean(), Tensor(Float.leastNormalMagnitude))
                stepSize = (square(ratio) * Float(2 * a * r * r)).broadcasted(to: [x.shape[0]])
            }
            x = x + score * perSample(stepSize, like: x) + z * perSample(sqrt(stepSize * 2), like: x)
            try requireFinite(x, in: PredictorCorrectorSampler.self, at: step)
        }
        return x
    }
}

extension LangevinCorrector: RegisteredComponent {
    public static let id: ComponentID = "langevin"
    public static let summary = "Langevin corrector with the signal-to-noise step rule (snr, steps)"
}
