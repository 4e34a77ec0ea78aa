import Foundation
import ScoreKitCore
import ScoreKitMetrics
import ScoreKitNetworks
import ScoreKitRunner
import Testing

/// The metrics of `scorekit evaluate` on cases computed by hand or in closed form.
@Suite("sample evaluation metrics")
struct SampleEvaluationTests {
    /// Points given as rows.
    static func points(_ rows: [[Float]]) -> Tensor {
        Tensor(rows.flatMap { $0 }, shape: [rows.count, rows[0].count])
    }

    /// N draws of N(shift, I) in `dimension` dimensions, from `seed`.
    static func gaussian(_ count: Int, dimension: Int, shift: Float = 0, seed: UInt64) -> Tensor {
        var noise = PerSampleNoise(seed: seed)
        return noise.normal([count, dimension]) + Tensor(repeating: shift, shape: [1, dimension])
    }

    @Test("energy distance: two-point sets 3 apart give 2·3 − 1 − 1 = 4")
    func energyByHand() {
        let x = Self.points([[0, 0], [1, 0]])
        let y = Self.points([[3, 0], [4, 0]])
        #expect(abs(SampleQuality.energyDistance(x, y) - 4) < 1e-9)
    }

    @Test("MMD²: point masses δ = 1 apart with h = 1 give 2 − 2·exp(−½)")
    func mmdByHand() {
        let x = Self.points([[0, 0], [0, 0]])
        let y = Self.points([[1, 0], [1, 0]])
        let value = SampleQuality.maximumMeanDiscrepancySquared(x, y, bandwidth: 1)
        #expect(abs(value - (2 - 2 * exp(-0.5))) < 1e-12)
        #expect(abs(SampleQuality.maximumMeanDiscrepancySquared(x, x, bandwidth: 1)) < 1e-12)
    }

    @Test("MMD² of N(0, I) and N(c·1, I) in 2-D matches the closed form within 4 standard errors")
    func mmdShiftedGaussians() {
        // E k(X, X') = (h²/(h² + 2))^{d/2};  E k(X, Y) = that · exp(−‖c‖²/(2(h² + 2))).
        let (h, d, c) = (1.5, 2, 1.0)
        let base = pow(h * h / (h * h + 2), Double(d) / 2)
        let exact = 2 * base * (1 - exp(-Double(d) * c * c / (2 * (h * h + 2))))
        let x = Self.gaussian(1500, dimension: d, seed: 1)
        let y = Self.gaussian(1500, dimension: d, shift: Float(c), seed: 2)
        let same = Self.gaussian(1500, dimension: d, seed: 3)
        // The U-statistic's standard deviation here is ≈ 4e-3 under the shift, ≈ 1e-3 without.
        #expect(abs(SampleQuality.maximumMeanDiscrepancySquared(x, y, bandwidth: h) - exact) < 0.016)
        #expect(abs(SampleQuality.maximumMeanDiscrepancySquared(x, same, bandwidth: h)) < 0.004)
    }

    @Test("energy distance of 1-D N(0, 1) and N(c, 1) matches 2E|Z| − 2·2/√π, Z ~ N(c, 2)")
    func energyShiftedGaussians() {
        let c = 1.0
        let s = 2.0.squareRoot()
        let meanAbs = s * (2 / Double.pi).squareRoot() * exp(-c * c / (2 * s * s)) + c * erf(c / (s * 2.0.squareRoot()))
        let exact = 2 * meanAbs - 2 * 2 / Double.pi.squareRoot()
        let x = Self.gaussian(3000, dimension: 1, seed: 4)
        let y = Self.gaussian(3000, dimension: 1, shift: Float(c), seed: 5)
        #expect(abs(SampleQuality.energyDistance(x, y) - exact) < 0.03, "exact \(exact)")
        #expect(abs(SampleQuality.energyDistance(x, Self.gaussian(3000, dimension: 1, seed: 6))) < 0.01)
    }

    @Test("sliced W₂: identical sets 0; 1-D {0, 1} against {0, 1, 2, 3} gives √1.5 (quantiles merged)")
    func slicedByHand() {
        let x = Self.gaussian(500, dimension: 3, seed: 7)
        #expect(SampleQuality.slicedWasserstein2(x, x, projectionCount: 16, seed: 0) == 0)
        let u = Tensor([0, 1], shape: [2, 1])
        let v = Tensor([0, 1, 2, 3], shape: [4, 1])
        #expect(abs(SampleQuality.slicedWasserstein2(u, v, projectionCount: 3, seed: 0) - 1.5.squareRoot()) < 1e-12)
    }

    @Test("sliced W₂ of a set and its shift by c in 2-D: SW₂² ≈ ‖c‖²/2 (E cos² = ½)")
    func slicedShift() {
        let x = Self.gaussian(400, dimension: 2, seed: 8)
        let y = x + Tensor([3, 0], shape: [1, 2])
        let value = SampleQuality.slicedWasserstein2(x, y, projectionCount: 2000, seed: 1)
        // Over 2000 directions the mean of cos² has standard deviation 0.35/√2000 = 0.008.
        #expect(abs(value * value / 9 - 0.5) < 0.03)
    }

    @Test("median pairwise distance of {0, 1, 3} is 2")
    func medianDistance() {
        #expect(SampleQuality.medianPairwiseDistance(Tensor([0, 1, 3], shape: [3, 1])) == 2)
    }

    @Test("mixture metrics: shares, off-manifold fraction and log-density at hand-placed points")
    func mixtureByHand() throws {
        let mixture = try GaussianMixture(
            weights: [1, 1], means: [[-2, 0], [2, 0]], standardDeviations: [0.5, 0.5])
        // Three samples at the right mean, one at the left, one far off (> 4·0.5 from both,
        // nearest to the right mean).
        let samples = Self.points([[2, 0], [2, 0], [2, 0], [-2, 0], [1, 10]])
        let reference = Self.points([[-2, 0], [2, 0]])
        var configuration = EvaluationConfiguration()
        configuration.bandwidth = 1
        let report = SampleEvaluation(configuration: configuration).evaluate(
            samples: samples, reference: reference, mixture: mixture)
        let m = try #require(report.mixture)
        #expect(m.componentShares == [0.2, 0.8])
        #expect(abs(m.shareTotalVariation - 0.3) < 1e-12)
        // Two components are off by the same 0.3 (to rounding).
        #expect(abs(m.largestShareError.error - 0.3) < 1e-12)
        #expect(
            report.json.contains("\"largestShareError\":{\"component\":\(m.largestShareError.component),\"value\":"))
        #expect(m.offManifoldRadius == 2 && m.offManifoldFraction == 0.2)
        // At a mean, p = ½·N(0; 0, ¼I) (the other component adds e^{−32}): log p = log ½ − log(2π·¼).
        let atMean = log(0.5) - log(2 * Double.pi * 0.25)
        #expect(abs(try #require(m.referenceMeanLogDensity) - atMean) < 1e-5)
        #expect(report.bandwidth == 1 && report.bandwidthRule == "recipe")
    }

    @Test("rows with non-finite values are counted and left out")
    func nonFinite() {
        let samples = Self.points([[0, 0], [1, 0], [.nan, 0]])
        let reference = Self.points([[0, 0], [1, 0]])
        let report = SampleEvaluation().evaluate(samples: samples, reference: reference, mixture: nil)
        #expect(report.nonFiniteCount == 1 && report.sampleCount == 3 && report.firstNonFiniteRow == 2)
        #expect(report.nonFiniteNote == " (1 non-finite, left out; the first is row 2, counting from 0)")
        #expect(report.json.contains("\"firstNonFiniteRow\":2"))
        #expect(report.energyDistance.isFinite && report.slicedWasserstein2 == 0)
    }

    @Test("the largest standard deviation of a full covariance is √ of its largest eigenvalue")
    func largestSpread() throws {
        // [[2, 1], [1, 2]] has eigenvalues 3 and 1.
        let mixture = try GaussianMixture(weights: [1], means: [[0, 0]], covariances: [.full([[2, 1], [1, 2]])])
        #expect(abs(mixture.largestStandardDeviation - 3.0.squareRoot()) < 1e-9)
    }
}
