import Foundation
import ScoreKitCore
import ScoreKitSDEs
import Testing

@Suite("VariancePreservingSDE")
struct VariancePreservingSDETests {
    let sde = VariancePreservingSDE()

    @Test func diffusionSquaredIsTheNoiseRate() {
        for t in stride(from: 0.01, through: 1, by: 0.01) {
            #expect(isClose(sde.marginal(at: t).diffusionSquared, sde.noiseRate(at: t), relative: 1e-12))
            #expect(isClose(sde.noiseRate(at: t), 0.1 + t * 19.9, relative: 1e-14))
        }
    }

    /// score_sde's `VPSDE.marginal_prob`: log_mean_coeff = −¼t²(β₁ − β₀) − ½tβ₀.
    @Test func matchesScoreSDEMarginal() {
        for t in [1e-5, 0.1, 0.5, 1] {
            let logMean = -0.25 * t * t * 19.9 - 0.5 * t * 0.1
            let m = sde.marginal(at: t)
            #expect(isClose(m.signalScale, Foundation.exp(logMean), relative: 1e-14))
            #expect(isClose(m.noiseScale, (1 - Foundation.exp(2 * logMean)).squareRoot(), relative: 1e-9))
            #expect(isClose(m.signalScale * m.signalScale + m.noiseScale * m.noiseScale, 1, relative: 1e-14))
        }
        #expect(sde.priorStandardDeviation == 1)
        #expect(sde.timeRange == 1e-5...1)
    }

    @Test func inverseLogSNRCoversTheTails() {
        for lambda in [-30.0, -10, -1, 0, 1, 10, 30] {
            let t = sde.time(forLogSignalToNoiseRatio: lambda)
            #expect(isClose(sde.marginal(at: t).logSignalToNoiseRatio, lambda, absolute: 1e-9))
        }
    }

    @Test func rejectsInvalidNoiseRates() {
        var c = VariancePreservingSDE.Configuration()
        c.betaMax = 0.1
        #expect(
            throws: ConfigurationError.outOfRange(
                key: "betaMax", value: "0.1", expected: "a finite number > betaMin (0.1)")
        ) {
            try VariancePreservingSDE(configuration: c)
        }
        c = .init()
        c.betaMin = -1
        #expect(throws: ConfigurationError.self) { try VariancePreservingSDE(configuration: c) }
        c = .init()
        c.minimumTime = 1
        #expect(throws: ConfigurationError.self) { try VariancePreservingSDE(configuration: c) }
    }
}
