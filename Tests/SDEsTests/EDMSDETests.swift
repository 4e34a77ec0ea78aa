import Foundation
import ScoreKitCore
import ScoreKitSDEs
import Testing

@Suite("EDMSDE")
struct EDMSDETests {
    let sde = EDMSDE()

    @Test func timeIsTheNoiseLevel() {
        #expect(sde.timeRange == 0.002...80)
        for t in [0.002, 0.1, 1, 80] {
            let m = sde.marginal(at: t)
            #expect(m.noiseScale == t && m.noiseLevel == t && m.signalScale == 1)
            #expect(isClose(m.diffusionSquared, 2 * t, relative: 1e-15))
            #expect(isClose(sde.time(forLogSignalToNoiseRatio: m.logSignalToNoiseRatio), t, relative: 1e-14))
        }
        #expect(sde.priorStandardDeviation == 80)
    }

    @Test func rejectsInvalidRange() {
        var c = EDMSDE.Configuration()
        c.sigmaMin = 100
        #expect(throws: ConfigurationError.self) { try EDMSDE(configuration: c) }
    }
}
