import Foundation
public import ScoreKitCore

/// Log-likelihoods of data points under the probability-flow ODE, with their uncertainty.
///
/// ```
/// log p(x) = log p_T(x_T) + ∫_ε^T ∇·F(x_t, t) dt                  nats, per point
/// bits/dim = −(log p(x) + d·log Δ)/(d·ln 2)                       Δ: the bin width of discrete data
/// ```
/// With uniform dequantisation of data in bins of width Δ, log p(x) + d·log Δ is a lower bound
/// on the log-probability of the discrete value (Theis et al. 2016); Δ = 2/256 for 8-bit data
/// scaled to [−1, 1] adds 7 bits per dimension, as score_sde's `offset`.
public struct LikelihoodEstimate: Sendable {
    /// log p(x_i) in nats, the mean over the probes for Hutchinson's estimator.
    public var logLikelihoods: [Double]
    /// Each point's Hutchinson standard error, std over the K probes/√K: 0 for the exact
    /// divergence, NaN for a single probe.
    public var standardErrors: [Double]
    /// log p_T(x_T) of each point's latent.
    public var priorLogDensities: [Double]
    /// The latents x_T, shaped like the data.
    public var latents: Tensor
    /// d, the values per point.
    public var dimension: Int
    /// Δ, the bin width of discrete data; 0 for continuous data.
    public var quantizationBinWidth: Double
    /// The model evaluations made, each over the whole batch.
    public var evaluationCount: Int
    /// The evaluations each point needed.
    public var sampleEvaluationCounts: [Int]
    /// Backward passes per evaluation: d (exact divergence) or K (probes).
    public var backwardPassesPerEvaluation: Int

    public init(
        logLikelihoods: [Double], standardErrors: [Double], priorLogDensities: [Double], latents: Tensor,
        dimension: Int, quantizationBinWidth: Double, evaluationCount: Int, sampleEvaluationCounts: [Int],
        backwardPassesPerEvaluation: Int
    ) {
        self.logLikelihoods = logLikelihoods
        self.standardErrors = standardErrors
        self.priorLogDensities = priorLogDensities
        self.latents = latents
        self.dimension = dimension
        self.quantizationBinWidth = quantizationBinWidth
        self.evaluationCount = evaluationCount
        self.sampleEvaluationCounts = sampleEvaluationCounts
        self.backwardPassesPerEvaluation = backwardPassesPerEvaluation
    }

    /// The mean log-likelihood in nats per point.
    public var meanLogLikelihood: Double { logLikelihoods.reduce(0, +) / Double(logLikelihoods.count) }

    /// The standard error of the mean over the points (sample standard deviation/√n): the
    /// uncertainty of the data set's mean, probe noise included.
    public var standardErrorOfMean: Double {
        let n = Double(logLikelihoods.count)
        guard n > 1 else { return .nan }
        let mean = meanLogLikelihood
        let variance = logLikelihoods.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return (variance / n).squareRoot()
    }

    /// The standard error of the mean due to the divergence estimator alone, √(Σ SE_i²)/n:
    /// 0 for the exact divergence.
    public var estimatorStandardError: Double {
        standardErrors.reduce(0) { $0 + $1 * $1 }.squareRoot() / Double(standardErrors.count)
    }

    /// d·log Δ, the nats per point that turn the density into a discrete log-probability bound.
    public var quantizationOffset: Double {
        quantizationBinWidth > 0 ? Double(dimension) * Foundation.log(quantizationBinWidth) : 0
    }

    /// The mean negative log-likelihood in nats per point, discrete when Δ > 0.
    public var negativeLogLikelihood: Double { -(meanLogLikelihood + quantizationOffset) }

    /// The mean negative log-likelihood in bits per dimension, discrete when Δ > 0.
    public var bitsPerDimension: Double { negativeLogLikelihood / (Double(dimension) * Foundation.log(2.0)) }
}
