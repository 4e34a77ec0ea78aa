import Foundation
import ScoreKitCore
import ScoreKitSDEs
import Testing

@Suite("LinearInterpolantSDE")
struct LinearInterpolantSDETests {
    let sde = LinearInterpolantSDE()

    @Test func interpolatesLinearly() {
        for t in [1e-5, 0.3, 0.5, 0.999] {
            let m = sde.marginal(at: t)
            #expect(m.signalScale == 1 - t && m.noiseScale == t)
            #expect(isClose(m.diffusionSquared, 2 * t / (1 - t), relative: 1e-12))
            #expect(isClose(m.driftCoefficient, -1 / (1 - t), relative: 1e-15))
            #expect(isClose(sde.time(forLogSignalToNoiseRatio: m.logSignalToNoiseRatio), t, relative: 1e-12))
        }
        #expect(sde.priorStandardDeviation == 1)
    }

    @Test func rejectsARangeReachingOne() {
        var c = LinearInterpolantSDE.Configuration()
        c.maximumTime = 1
        #expect(
            throws: ConfigurationError.outOfRange(key: "maximumTime", value: "1.0", expected: "a number > 0 and < 1")
        ) {
            try LinearInterpolantSDE(configuration: c)
        }
    }
}
