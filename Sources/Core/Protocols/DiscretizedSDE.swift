/// A forward process that is a discrete Markov chain at a finite set of times, as DDPM is.
///
/// ```
/// x_{t_n} = a_n·x_{t_{n−1}} + b_n·z,   a_n = α(t_n)/α(t_{n−1}),   b_n² = σ(t_n)² − a_n²σ(t_{n−1})²
/// ```
/// At the step times `marginal(at:)` is exact and `transition(from:to:)` between consecutive
/// step times is the chain's own step (for DDPM, a = √(1 − β_n), b² = β_n); between them the
/// conformer documents its interpolation. Samplers that take the chain's own steps (DDPM's
/// ancestral sampler, diffusers' discrete spacings) constrain on this refinement.
public protocol DiscretizedSDE: ForwardSDE {
    /// The increasing times t₁ < … < t_N at which the chain is defined; the last is `timeRange.upperBound`.
    var stepTimes: [Double] { get }
}

extension ForwardSDE {
    /// The Gaussian posterior of the forward process one step back, q(x_s | x_t, x₀) for s < t:
    /// what ancestral samplers (DDPM, SMLD) draw from with x₀ replaced by the denoised estimate.
    ///
    /// ```
    /// q(x_s | x_t, x₀) = N(noisyScale·x_t + dataScale·x₀, standardDeviation²·I)
    /// a = α_t/α_s,   b² = σ_t² − a²σ_s²                      (the forward transition s → t)
    /// noisyScale = a·σ_s²/σ_t²,   dataScale = α_s·b²/σ_t²,   standardDeviation² = b²·σ_s²/σ_t²
    /// ```
    /// Source: Ho et al. (2020), eq. 6–7 (posterior_mean_coef1/2, posterior_variance) for DDPM;
    /// Song et al. (2021), App. F, for SMLD (α = 1). Kingma et al. (2021), eq. 32, in general.
    /// - Precondition: `earlier < later`, σ_t > 0.
    public func posterior(
        at earlier: Double, given later: Double
    )
        -> (noisyScale: Double, dataScale: Double, standardDeviation: Double)
    {
        precondition(earlier < later, "posterior(at: \(earlier), given: \(later)) needs an earlier time first")
        let ms = marginal(at: earlier)
        let mt = marginal(at: later)
        let (a, b) = transition(from: earlier, to: later)
        let sigmaS2 = ms.noiseScale * ms.noiseScale
        let sigmaT2 = mt.noiseScale * mt.noiseScale
        precondition(sigmaT2 > 0, "the posterior needs σ > 0 at t = \(later)")
        return (a * sigmaS2 / sigmaT2, ms.signalScale * b * b / sigmaT2, (b * b * sigmaS2 / sigmaT2).squareRoot())
    }

    /// Draws from the prior N(0, s²·I), s = `priorStandardDeviation`: where sampling starts.
    public func samplePrior(_ shape: [Int], noise: inout some NoiseSource) -> Tensor {
        noise.normal(shape) * Float(priorStandardDeviation)
    }
}
