public import ScoreKitCore

/// A Langevin corrector whose step follows the noise level, as in NCSN's annealed Langevin
/// dynamics (Song & Ermon 2019, Algorithm 1), for predictor–corrector sampling.
///
/// ```
/// δ = stepScale · σ(t)²                      σ(t): the marginal's noise scale at t
/// repeat steps times:  x ← x + δ·∇ₓ log p_t(x) + √(2δ)·z,   z ~ N(0, I)
/// ```
/// NCSN scales its step with σ_i² so that δ·‖∇ log p‖² stays of one size at every level;
/// ScoreKit's `langevin` corrector chooses δ from a signal-to-noise ratio instead. With
/// stepScale < 1, a step never moves further than the noise it corrects (δ/σ² = stepScale).
/// The corrector runs at the start of each predictor step, never at t = 0.
public struct NoiseLevelLangevinCorrector: Corrector {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// ε of δ = ε·σ(t)²; NCSN's ε, relative to the current level.
        public var stepScale = 0.05
        /// Langevin iterations per correction (NCSN's T).
        public var steps = 1

        public init() {}

        public func validate() throws(ConfigurationError) {
            try requirePositive(stepScale, key: "stepScale")
            guard stepScale < 1 else {
                throw .outOfRange(key: "stepScale", value: "\(stepScale)", expected: "a number in (0, 1)")
            }
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
        let sigma = process.marginal(at: t).noiseScale
        let delta = configuration.stepScale * sigma * sigma
        var x = sample
        for _ in 0..<configuration.steps {
            let score = process.score(x, at: t)
            x = x + score * Float(delta) + noise.normal(x.shape) * Float((2 * delta).squareRoot())
            try requireFinite(x, in: Self.self, at: step)
        }
        return x
    }
}

extension NoiseLevelLangevinCorrector: RegisteredComponent {
    public static let id: ComponentID = "noise-level-langevin"
    public static let summary = "Langevin corrector with NCSN's step δ = stepScale·σ(t)² (a plug-in)"
}
