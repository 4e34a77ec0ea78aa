import Foundation
import ScoreKitCore
import ScoreKitSDEs
import Testing

@Suite("VarianceExplodingSDE")
struct VarianceExplodingSDETests {
    let sde = VarianceExplodingSDE()

    /// score_sde's `VESDE`: std = σ_min(σ_max/σ_min)ᵗ, diffusion σ(t)·√(2 log(σ_max/σ_min)).
    @Test func matchesScoreSDE() {
        #expect(sde.configuration.marginal == .scoreSDE)
        for t in [1e-5, 0.25, 0.5, 1] {
            let m = sde.marginal(at: t)
            #expect(m.signalScale == 1 && m.signalScaleDerivative == 0)
            #expect(isClose(m.noiseScale, 0.01 * Foundation.pow(5000, t), relative: 1e-13))
            let diffusion = m.noiseScale * (2 * Foundation.log(5000.0)).squareRoot()
            #expect(isClose(sde.diffusionCoefficient(at: t), diffusion, relative: 1e-13))
        }
        #expect(isClose(sde.priorStandardDeviation, 50, relative: 1e-14))
    }

    /// `marginal: exact`: the variance of x_t − x₀ under dx = √(d[σ²]/dt) dW from t = 0 is
    /// ∫₀ᵗ g² = σ(t)² − σ_min², with the same g² as score_sde's marginal; λ inverts.
    @Test func exactMarginal() throws {
        var c = VarianceExplodingSDE.Configuration()
        c.marginal = .exact
        let exact = try VarianceExplodingSDE(configuration: c)
        for t in [1e-5, 1e-3, 0.25, 0.5, 1] {
            let m = exact.marginal(at: t)
            let sigma = 0.01 * Foundation.pow(5000, t)
            #expect(m.signalScale == 1 && m.signalScaleDerivative == 0)
            #expect(isClose(m.noiseScale * m.noiseScale, sigma * sigma - 1e-4, relative: 1e-11))
            // The same SDE: g² agrees with score_sde's.
            #expect(isClose(exact.diffusionCoefficient(at: t), sde.diffusionCoefficient(at: t), relative: 1e-11))
            // σ' against a central difference.
            let h = 1e-7 * Swift.max(t, 1e-3)
            let difference = (exact.marginal(at: t + h).noiseScale - exact.marginal(at: t - h).noiseScale) / (2 * h)
            #expect(isClose(m.noiseScaleDerivative, difference, relative: 1e-5))
            #expect(isClose(exact.time(forLogSignalToNoiseRatio: m.logSignalToNoiseRatio), t, relative: 1e-9))
        }
        #expect(exact.marginal(at: 0).noiseScale == 0)
        #expect(isClose(exact.priorStandardDeviation, (2500 - 1e-4).squareRoot(), relative: 1e-13))
    }

    @Test func rejectsInvalidNoiseLevels() {
        var c = VarianceExplodingSDE.Configuration()
        c.sigmaMax = 0.005
        #expect(
            throws: ConfigurationError.outOfRange(
                key: "sigmaMax", value: "0.005",
                expected: "a finite number ≥ sigmaMin (0.01); equal to it for one fixed noise level")
        ) {
            try VarianceExplodingSDE(configuration: c)
        }
        c = .init()
        c.sigmaMin = 0
        #expect(throws: ConfigurationError.self) { try VarianceExplodingSDE(configuration: c) }
    }
}

/// sigmaMin = sigmaMax: one noise level at every time (fixed-σ denoising score matching).
@Suite("VarianceExplodingSDE with one noise level")
struct SingleNoiseLevelVarianceExplodingTests {
    @Test func constantMarginal() throws {
        var c = VarianceExplodingSDE.Configuration()
        (c.sigmaMin, c.sigmaMax) = (0.5, 0.5)
        let sde = try VarianceExplodingSDE(configuration: c)
        for t in [1e-5, 0.3, 1] {
            let m = sde.marginal(at: t)
            #expect(m.signalScale == 1 && m.noiseScale == 0.5 && m.noiseScaleDerivative == 0)
            #expect(sde.diffusionCoefficient(at: t) == 0)
        }
        #expect(sde.singleNoiseLevel == 0.5)
        #expect(VarianceExplodingSDE().singleNoiseLevel == nil)
        #expect(sde.priorStandardDeviation == 0.5)
        // λ is −2 log 0.5 everywhere: that λ (or a cleaner one) maps to the data end, a noisier one to T.
        let lambda = -2 * Foundation.log(0.5)
        #expect(sde.time(forLogSignalToNoiseRatio: lambda) == 1e-5)
        #expect(sde.time(forLogSignalToNoiseRatio: lambda + 1) == 1e-5)
        #expect(sde.time(forLogSignalToNoiseRatio: lambda - 1) == 1)
    }

    @Test func refusals() {
        var c = VarianceExplodingSDE.Configuration()
        (c.sigmaMin, c.sigmaMax, c.marginal) = (0.5, 0.5, .exact)
        #expect(
            throws: ConfigurationError.outOfRange(
                key: "marginal", value: "exact",
                expected: "scoreSDE when sigmaMin = sigmaMax: the exact marginal's variance σ(t)² − sigmaMin² is 0")
        ) { try VarianceExplodingSDE(configuration: c) }
        (c.sigmaMax, c.marginal) = (0.4, .scoreSDE)
        #expect(
            throws: ConfigurationError.outOfRange(
                key: "sigmaMax", value: "0.4",
                expected: "a finite number ≥ sigmaMin (0.5); equal to it for one fixed noise level")
        ) { try VarianceExplodingSDE(configuration: c) }
    }
}
