import Foundation
public import ScoreKitCore

/// The training loss of EDM (Karras et al. 2022, eq. 2 and 8, Table 1): log-normal noise levels
/// and the weight that makes the preconditioned network's target unit-variance.
///
/// ```
/// ln σ̃ ~ N(P_mean, P_std²),   t = λ⁻¹(−2 ln σ̃) clamped to the range,   σ̃ = σ/α
/// L(θ) = E_σ̃ E_{x₀,ε} λ(σ̃)·‖D_θ(x_t; σ̃) − x₀‖²,   λ(σ̃) = (σ̃² + σ_d²)/(σ̃·σ_d)²
/// ```
/// D_θ = x̂₀ is the denoiser of whatever parameterization is used; with the `edm`
/// preconditioning (which supplies c_skip, c_out, c_in and c_noise), λ·c_out² = 1 and the loss is
/// the plain ‖F − F*‖² of EDM's `EDMLoss`. It is denoising score matching with log-normal times
/// and the weighting 2λ(σ̃)·σ⁴/α² on ½‖s_θ − s*‖²: a thin, named setting of the same
/// regression. `reduction: sum` gives EDM's per-sample sum over pixels; `mean` (default) divides
/// by the dimension. P_mean = −1.2, P_std = 1.2, σ_d = 0.5 are EDM's image defaults.
public struct EDMLoss: Loss {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// P_mean.
        public var logNormalMean = -1.2
        /// P_std.
        public var logNormalStandardDeviation = 1.2
        /// σ_d, the data's standard deviation (match the `edm` parameterization's `sigmaData`).
        public var sigmaData = 0.5
        public var reduction = DenoisingScoreMatching.Reduction.mean
        /// p, the probability of replacing a sample's label by the null label (classifier-free guidance).
        public var labelDropout = 0.0

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard logNormalStandardDeviation > 0 else {
                throw .outOfRange(
                    key: "logNormalStandardDeviation", value: "\(logNormalStandardDeviation)", expected: "a number > 0")
            }
            guard sigmaData > 0 else {
                throw .outOfRange(key: "sigmaData", value: "\(sigmaData)", expected: "a number > 0")
            }
            try LabelDropout.validate(labelDropout)
        }
    }

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public func evaluate(
        _ batch: TrainingBatch, model: some ScoreModel, sde: some ForwardSDE,
        parameterization: some Parameterization, noise: inout some NoiseSource
    ) -> LossEvaluation {
        let c = configuration
        let sampling = TimeSampling(
            distribution: .logNormal, levelCount: 1, sigmaMax: 1, sigmaMin: 1, logNormalMean: c.logNormalMean,
            logNormalStandardDeviation: c.logNormalStandardDeviation, discreteStepCount: 1)
        let times = sampling.draw(count: batch.count, sde: sde, noise: &noise)
        let regression = DenoisingRegression(reduction: c.reduction, labelDropout: c.labelDropout)
        return regression.evaluate(
            batch, times: times, model: model, sde: sde, parameterization: parameterization, noise: &noise
        ) { _, m, coefficients in
            // x̂₀ − x₀ = c_out·(F − F*).
            weight(noiseLevel: m.noiseLevel) * coefficients.outputScale * coefficients.outputScale
        }
    }

    /// λ(σ̃) = (σ̃² + σ_d²)/(σ̃·σ_d)².
    public func weight(noiseLevel sigma: Double) -> Double {
        let data = configuration.sigmaData
        return (sigma * sigma + data * data) / ((sigma * data) * (sigma * data))
    }
}

extension EDMLoss: RegisteredComponent {
    public static let id: ComponentID = "edm"
    public static let summary =
        "EDM loss: ln σ ~ N(P_mean, P_std²), λ(σ) = (σ² + σ_d²)/(σσ_d)² on ‖D − x₀‖² (Karras et al. 2022)"
}
