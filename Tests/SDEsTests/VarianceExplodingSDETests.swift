import Foundation
import ScoreKitCore
import ScoreKitSDEs
import Testing

@Suite("VarianceExplodingSDE")
struct VarianceExplodingSDETests {
    let sde = VarianceExplodingSDE()

    /// score_sde's `VESDE`: std = σ_min(σ_max/σ_min)ᵗ, diffusion σ(t)·√(2 log(σ_max/σ_min)).
    @Test func matchesScoreSDE() {
        for t in [1e-5, 0.25, 0.5, 1] {
            let m = sde.marginal(at: t)
            #expect(m.signalScale == 1 && m.signalScaleDerivative == 0)
            #expect(isClose(m.noiseScale, 0.01 * Foundation.pow(5000, t), relative: 1e-13))
            let diffusion = m.noiseScale * (2 * Foundation.log(5000.0)).squareRoot()
            #expect(isClose(sde.diffusionCoefficient(at: t), diffusion, relative: 1e-13))
        }
        #expect(isClose(sde.priorStandardDeviation, 50, relative: 1e-14))
    }

    @Test func rejectsInvalidNoiseLevels() {
        var c = VarianceExplodingSDE.Configuration()
        c.sigmaMax = 0.005
        #expect(
            throws: ConfigurationError.outOfRange(
                key: "sigmaMax", value: "0.005", expected: "a finite number > sigmaMin (0.01)")
        ) {
            try VarianceExplodingSDE(configuration: c)
        }
        c = .init()
        c.sigmaMin = 0
        #expect(throws: ConfigurationError.self) { try VarianceExplodingSDE(configuration: c) }
    }
}
