import Foundation
public import ScoreKitCore
import ScoreKitMetrics
public import ScoreKitNetworks

/// Sample-quality metrics of generated samples against reference data (the recipe's held-out
/// part), and against the exact target when the data is an exact Gaussian mixture.
///
/// | metric | definition | 0 when |
/// |---|---|---|
/// | energy distance | D² = 2E‖X − Y‖ − E‖X − X'‖ − E‖Y − Y'‖ (U-statistic) | equal distributions |
/// | MMD² | RBF kernel exp(−‖a − b‖²/2h²), unbiased | equal distributions |
/// | SW₂ | (mean over L directions of the 1-D W₂²)^½ | equal empirical projections |
/// | component shares | fraction nearest each mean, vs the weights (total variation ½Σ\|share − w\|) | |
/// | off-manifold fraction | farther than r·s_max from every mean | |
/// | mean log-density | (1/N)·Σ log p₀(x_i) under the exact mixture, beside the reference's own | |
///
/// The pair metrics use the first `pointLimit` points of each side; SW₂ uses all of them.
public struct SampleEvaluation: Sendable {
    /// The settings (the recipe's `evaluation:` section).
    public var configuration: EvaluationConfiguration
    /// The seed of SW₂'s directions.
    public var seed: UInt64

    /// An evaluation with `configuration`, its random directions drawn from `seed`.
    public init(configuration: EvaluationConfiguration = EvaluationConfiguration(), seed: UInt64 = 0) {
        self.configuration = configuration
        self.seed = seed
    }

    /// The metrics of `samples` `[N, d]` against `reference` `[M, d]`, with the mixture
    /// metrics when `mixture` is given. Rows of `samples` with a non-finite value are counted
    /// (`nonFiniteCount`) and left out of every metric.
    /// - Precondition: at least 2 finite samples, M ≥ 2, and d values per row on both sides
    ///   (`EvaluationSession` checks files first).
    public func evaluate(samples: Tensor, reference: Tensor, mixture: GaussianMixture?) -> EvaluationReport {
        precondition(samples.rank == 2 && reference.rank == 2 && samples.shape[1] == reference.shape[1])
        let allCount = samples.shape[0]
        let (samples, firstNonFiniteRow) = Self.finiteRows(samples)
        precondition(samples.shape[0] >= 2 && reference.shape[0] >= 2, "at least 2 finite samples and 2 references")
        let limit = configuration.pointLimit
        let x = Self.first(limit, of: samples)
        let y = Self.first(limit, of: reference)
        let bandwidth =
            configuration.bandwidth > 0 ? configuration.bandwidth : SampleQuality.medianPairwiseDistance(y)
        let finiteBandwidth = bandwidth > 0 ? bandwidth : 1
        var report = EvaluationReport(
            sampleCount: allCount, nonFiniteCount: allCount - samples.shape[0], referenceCount: reference.shape[0],
            pairPointCount: (x.shape[0], y.shape[0]),
            dimension: samples.shape[1],
            energyDistance: SampleQuality.energyDistance(x, y),
            maximumMeanDiscrepancySquared: SampleQuality.maximumMeanDiscrepancySquared(
                x, y, bandwidth: finiteBandwidth),
            bandwidth: finiteBandwidth, bandwidthRule: configuration.bandwidth > 0 ? "recipe" : "median heuristic",
            slicedWasserstein2: SampleQuality.slicedWasserstein2(
                samples, reference, projectionCount: configuration.projectionCount,
                seed: SeedSequence(seed: seed).child("sliced-wasserstein").seed),
            projectionCount: configuration.projectionCount)
        report.firstNonFiniteRow = firstNonFiniteRow
        if let mixture { report.mixture = mixtureMetrics(samples, reference: reference, mixture: mixture) }
        return report
    }

    private func mixtureMetrics(
        _ samples: Tensor, reference: Tensor, mixture: GaussianMixture
    )
        -> EvaluationReport.MixtureMetrics
    {
        let shares = SampleQuality.componentShares(samples, means: mixture.means)
        let spread = mixture.largestStandardDeviation
        let radius = configuration.offManifoldRadius * spread
        var metrics = EvaluationReport.MixtureMetrics(
            weights: mixture.weights, componentShares: shares,
            shareTotalVariation: 0.5 * zip(shares, mixture.weights).reduce(0) { $0 + abs($1.0 - $1.1) },
            offManifoldRadius: radius,
            offManifoldFraction: SampleQuality.offManifoldFraction(samples, means: mixture.means, radius: radius))
        // The density exists only when every component has one (no zero variance).
        if spread > 0, mixture.hasDensity {
            let clean = Marginal(signalScale: 1, noiseScale: 0, signalScaleDerivative: 0, noiseScaleDerivative: 0)
            let (mean, error) = SampleQuality.meanAndStandardError(mixture.logDensity(samples, marginal: clean))
            metrics.meanLogDensity = mean
            metrics.meanLogDensityStandardError = error
            metrics.referenceMeanLogDensity =
                SampleQuality.meanAndStandardError(
                    mixture.logDensity(reference, marginal: clean)
                ).mean
        }
        return metrics
    }

    /// The first `limit` rows of `t`.
    static func first(_ limit: Int, of t: Tensor) -> Tensor {
        t.shape[0] <= limit ? t : t.slice(alongAxis: 0, 0..<limit)
    }

    /// The rows of `t` whose values are all finite.
    /// The rows of `t` whose values are all finite, and the index of the first that is not.
    static func finiteRows(_ t: Tensor) -> (rows: Tensor, firstNonFinite: Int?) {
        let d = t.shape[1]
        let values = t.scalars
        let isFinite = (0..<t.shape[0]).map { i in (0..<d).allSatisfy { values[i * d + $0].isFinite } }
        let rows = isFinite.indices.filter { isFinite[$0] }
        return (rows.count == t.shape[0] ? t : t.gathering(rows: rows), isFinite.firstIndex(of: false))
    }
}

extension GaussianMixture {
    /// Whether every component has a density at t = 0 (no covariance eigenvalue is 0).
    var hasDensity: Bool {
        covariances.allSatisfy { covariance in
            switch covariance {
            case .isotropic(let variance): variance > 0
            case .diagonal(let variances): variances.allSatisfy { $0 > 0 }
            case .full(let rows): Self.smallestEigenvalueIsPositive(rows)
            }
        }
    }

    /// Whether a symmetric matrix is positive definite (a Cholesky factorisation succeeds).
    static func smallestEigenvalueIsPositive(_ rows: [[Double]]) -> Bool {
        let d = rows.count
        var l = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
        for i in 0..<d {
            for j in 0...i {
                var sum = rows[i][j]
                for k in 0..<j { sum -= l[i][k] * l[j][k] }
                if i == j {
                    guard sum > 1e-12 * max(abs(rows[i][i]), 1e-300) else { return false }
                    l[i][i] = sum.squareRoot()
                } else {
                    l[i][j] = sum / l[j][j]
                }
            }
        }
        return true
    }
}
