import Foundation
public import ScoreKitCore

/// Denoising score matching (Vincent 2011) at random noise levels, with a weighting λ(t).
///
/// ```
/// L(θ) = E_t E_{x₀,ε} ½·λ(t)·‖s_θ(x_t, t) − ∇log p(x_t | x₀)‖²,   ∇log p(x_t | x₀) = −ε/σ(t)
/// ```
/// computed as a regression of the network output F on its parameterization's target F*, with
/// the exact factor between output error and score error: s_θ − s* = (α·c_out/σ²)·(F − F*).
/// λ = σ² is NCSN's weighting and, with ε-prediction, DDPM's L_simple (up to ½); λ = g² is the
/// likelihood weighting of Song et al. (2021b). The norm is a mean over dimensions (`reduction:
/// mean`, score_sde's `reduce_mean`) or a sum (the papers' ‖·‖²).
///
/// Times: uniform on the process's range; discrete geometric noise levels σ_max … σ_min (NCSN's
/// L levels, mapped to times through the inverse log-SNR); EDM's log-normal ln σ ~ N(P_mean, P_std²);
/// or N discrete steps (DDPM). Named special cases, all this loss with settings:
///
/// - NCSN (Song & Ermon 2019, eq. 5–6): `timeDistribution: noiseLevels`, `weighting: noiseVariance`,
///   `reduction: sum` (the L levels σ_max … σ_min, drawn uniformly).
/// - DDPM's L_simple (Ho et al. 2020, eq. 14): ε-prediction, `timeDistribution: discreteSteps`,
///   `discreteStepCount: N`, `weighting: noiseVariance`, which is ½·mean‖ε̂ − ε‖².
/// - score_sde's continuous objectives (Song et al. 2021b): `uniform` with `noiseVariance` or `likelihood`.
/// - EDM (Karras et al. 2022) and flow matching (Lipman et al. 2023) are DSM weightings too, registered
///   apart as `edm` and `flow-matching` for clarity.
///
/// With `labelDropout` p > 0 each sample's label becomes `NoiseCondition.nullLabel` with
/// probability p (classifier-free guidance training).
public struct DenoisingScoreMatching: Loss {
    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public func evaluate(
        _ batch: TrainingBatch, model: some ScoreModel, sde: some ForwardSDE,
        parameterization: some Parameterization, noise: inout some NoiseSource
    ) -> LossEvaluation {
        let times = drawTimes(count: batch.count, sde: sde, noise: &noise)
        let regression = DenoisingRegression(
            reduction: configuration.reduction, labelDropout: configuration.labelDropout)
        return regression.evaluate(
            batch, times: times, model: model, sde: sde, parameterization: parameterization, noise: &noise
        ) { t, m, c in
            // ½·λ·(α·c_out/σ²)² multiplies the squared output error.
            let scoreFactor = m.signalScale * c.outputScale / (m.noiseScale * m.noiseScale)
            return 0.5 * weight(at: t, marginal: m) * scoreFactor * scoreFactor
        }
    }

    /// λ(t) in score space.
    func weight(at time: Double, marginal m: Marginal) -> Double {
        configuration.weighting.value(for: m, gamma: configuration.gamma)
    }

    /// One time per sample, from each sample's own stream.
    func drawTimes(count: Int, sde: some ForwardSDE, noise: inout some NoiseSource) -> [Double] {
        timeSampling.draw(count: count, sde: sde, noise: &noise)
    }

    var timeSampling: TimeSampling {
        let c = configuration
        return TimeSampling(
            distribution: c.timeDistribution, levelCount: c.levelCount, sigmaMax: c.sigmaMax, sigmaMin: c.sigmaMin,
            logNormalMean: c.logNormalMean, logNormalStandardDeviation: c.logNormalStandardDeviation,
            discreteStepCount: c.discreteStepCount)
    }

    /// NCSN's geometric noise levels σ_max … σ_min (Song & Ermon 2019), largest first.
    public func noiseLevels() -> [Double] {
        TimeSampling.geometricLevels(
            count: configuration.levelCount, sigmaMax: configuration.sigmaMax, sigmaMin: configuration.sigmaMin)
    }
}

extension DenoisingScoreMatching.Weighting {
    /// λ at a marginal; `gamma` is min-SNR's γ.
    public func value(for m: Marginal, gamma: Double) -> Double {
        switch self {
        case .noiseVariance: return m.noiseScale * m.noiseScale
        case .likelihood: return m.diffusionSquared
        case .unit: return 1
        case .signalToNoise:
            // λ = σ²·SNR: the ε-error (σ times the score error) weighted by SNR.
            return m.noiseScale * m.noiseScale * Foundation.exp(m.logSignalToNoiseRatio)
        case .minSignalToNoise:
            // Min-SNR-γ (Hang et al. 2023): the ε-error weighted by min(SNR, γ)/SNR.
            let snr = Foundation.exp(m.logSignalToNoiseRatio)
            return m.noiseScale * m.noiseScale * Swift.min(snr, gamma) / snr
        }
    }
}
