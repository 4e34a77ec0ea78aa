import Foundation
import ScoreKitCore
import ScoreKitMetrics
import ScoreKitNetworks

/// How a set of samples compares with the exact mixture, with the Done-when tolerances.
struct SampleQualityReport: CustomStringConvertible {
    var energyDistance: Double
    var shares: [Double]
    var weights: [Double]
    var logDensityGap: Double
    var offManifoldFraction: Double

    /// Against fresh exact draws of `mixture` (10,000 for the energy distance, 100,000 for the
    /// mean log-density); off-manifold means farther than 4 standard deviations from every mean.
    init(_ samples: Tensor, mixture: GaussianMixture = ring, standardDeviation: Double = 0.4) {
        let reference = ReferenceDraws.of(mixture)
        energyDistance = SampleQuality.energyDistance(samples, reference.draws)
        shares = SampleQuality.componentShares(samples, means: mixture.means)
        weights = mixture.weights
        let clean = Marginal(signalScale: 1, noiseScale: 0, signalScaleDerivative: 0, noiseScaleDerivative: 0)
        logDensityGap =
            SampleQuality.meanAndStandardError(mixture.logDensity(samples, marginal: clean)).mean
            - reference.meanLogDensity
        offManifoldFraction = SampleQuality.offManifoldFraction(
            samples, means: mixture.means, radius: 4 * standardDeviation)
    }

    var largestShareError: Double { zip(shares, weights).map { Swift.abs($0 - $1) }.max() ?? 0 }

    /// The Done-when criteria: D² ≤ 0.004, shares within ±0.015, mean log-density within ±0.04.
    var meetsTolerances: Bool {
        energyDistance <= 0.004 && largestShareError <= 0.015 && Swift.abs(logDensityGap) <= 0.04
    }

    var description: String {
        let formattedShares = shares.map { String(format: "%.4f", $0) }.joined(separator: " ")
        return String(
            format:
                "energy distance %.5f, largest share error %.4f, log-density gap %+.4f, off-manifold %.5f; shares %@",
            energyDistance, largestShareError, logDensityGap, offManifoldFraction, formattedShares)
    }
}

/// Exact draws of a mixture, computed once per mixture.
enum ReferenceDraws {
    struct Reference {
        let draws: Tensor
        let meanLogDensity: Double
    }

    private static let ringSet = make(ring)

    static func of(_ mixture: GaussianMixture) -> Reference {
        mixture.means == ring.means && mixture.weights == ring.weights && mixture.covariances == ring.covariances
            ? ringSet : make(mixture)
    }

    private static func make(_ mixture: GaussianMixture) -> Reference {
        var noise = PerSampleNoise(seed: 0xD1A5)
        let draws = mixture.sample(count: 10_000, noise: &noise)
        var many = PerSampleNoise(seed: 0xD1A6)
        let clean = Marginal(signalScale: 1, noiseScale: 0, signalScaleDerivative: 0, noiseScaleDerivative: 0)
        let logDensity = mixture.logDensity(mixture.sample(count: 100_000, noise: &many), marginal: clean)
        return Reference(draws: draws, meanLogDensity: SampleQuality.meanAndStandardError(logDensity).mean)
    }
}
