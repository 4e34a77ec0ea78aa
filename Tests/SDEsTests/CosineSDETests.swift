import Foundation
import ScoreKitCore
import ScoreKitSDEs
import Testing

@Suite("CosineSDE")
struct CosineSDETests {
    let sde = CosineSDE()

    /// improved DDPM, eq. 17: ᾱ(t) = f(t)/f(0), f(t) = cos²((t + s)/(1 + s)·π/2).
    @Test func matchesImprovedDDPM() {
        func f(_ t: Double) -> Double { Foundation.pow(Foundation.cos((t + 0.008) / 1.008 * Double.pi / 2), 2) }
        for t in [1e-5, 0.1, 0.5, 0.9, 0.9946] {
            let m = sde.marginal(at: t)
            #expect(isClose(m.signalScale * m.signalScale, f(t) / f(0), relative: 1e-12))
            #expect(isClose(m.noiseScale * m.noiseScale, 1 - f(t) / f(0), relative: 1e-9))
        }
    }

    @Test func rejectsInvalidOffsetAndRange() {
        var c = CosineSDE.Configuration()
        c.offset = -0.1
        #expect(throws: ConfigurationError.self) { try CosineSDE(configuration: c) }
        c = .init()
        c.maximumTime = 1
        #expect(throws: ConfigurationError.self) { try CosineSDE(configuration: c) }
    }
}
