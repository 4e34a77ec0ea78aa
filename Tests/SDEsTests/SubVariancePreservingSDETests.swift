import Foundation
import ScoreKitCore
import ScoreKitSDEs
import Testing

@Suite("SubVariancePreservingSDE")
struct SubVariancePreservingSDETests {
    let sde = SubVariancePreservingSDE()

    /// Song et al. (2021), eq. 29: g² = β(t)·(1 − e^(−2∫β)) = β(1 − α⁴).
    @Test func diffusionSquaredIsBetaTimesOneMinusAlphaToTheFourth() {
        for t in stride(from: 0.01, through: 1, by: 0.01) {
            let m = sde.marginal(at: t)
            let alpha4 = Foundation.pow(m.signalScale, 4)
            #expect(isClose(m.diffusionSquared, sde.noiseRate(at: t) * (1 - alpha4), relative: 1e-11))
            #expect(isClose(m.noiseScale, 1 - m.signalScale * m.signalScale, relative: 1e-12))
        }
    }

    @Test func varianceStaysBelowVariancePreserving() {
        let vp = VariancePreservingSDE()
        for t in stride(from: 0.01, through: 1, by: 0.05) {
            #expect(sde.marginal(at: t).noiseScale < vp.marginal(at: t).noiseScale)
        }
    }

    @Test func inverseLogSNRCoversTheTails() {
        for lambda in [-30.0, -10, -1, 0, 1, 10, 30] {
            let t = sde.time(forLogSignalToNoiseRatio: lambda)
            #expect(isClose(sde.marginal(at: t).logSignalToNoiseRatio, lambda, absolute: 1e-8))
        }
    }
}
