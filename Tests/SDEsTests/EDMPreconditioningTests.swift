import Foundation
import ScoreKitCore
import ScoreKitSDEs
import Testing

@Suite("EDMPreconditioning")
struct EDMPreconditioningTests {
    /// `EDMPrecond` of the EDM code, σ_data = 0.5.
    @Test func matchesEDMForUnitSignal() {
        let edm = EDMPreconditioning()
        for sigma in [0.002, 0.1, 1, 80] {
            let c = edm.preconditioning(for: EDMSDE().marginal(at: sigma))
            #expect(isClose(c.skipScale, 0.25 / (sigma * sigma + 0.25), relative: 1e-14))
            #expect(isClose(c.outputScale, sigma * 0.5 / (sigma * sigma + 0.25).squareRoot(), relative: 1e-14))
            #expect(isClose(c.inputScale, 1 / (sigma * sigma + 0.25).squareRoot(), relative: 1e-14))
            #expect(
                isClose(
                    edm.noiseConditioning(for: EDMSDE().marginal(at: sigma)), 0.25 * Foundation.log(sigma),
                    relative: 1e-14))
        }
    }

    /// For α ≠ 1, x̂₀ from x equals EDM's denoiser on x/α at the noise level σ/α.
    @Test func worksInUnitsOfXOverAlpha() throws {
        var c = EDMPreconditioning.Configuration()
        c.sigmaData = 1.3
        let edm = try EDMPreconditioning(configuration: c)
        let m = VariancePreservingSDE().marginal(at: 0.4)
        let scaled = Marginal(
            signalScale: 1, noiseScale: m.noiseLevel, signalScaleDerivative: 0, noiseScaleDerivative: 1)
        let (onX, onScaled) = (edm.preconditioning(for: m), edm.preconditioning(for: scaled))
        #expect(isClose(onX.skipScale * m.signalScale, onScaled.skipScale, relative: 1e-14))
        #expect(isClose(onX.inputScale * m.signalScale, onScaled.inputScale, relative: 1e-14))
        #expect(isClose(onX.outputScale, onScaled.outputScale, relative: 1e-14))
    }

    @Test func rejectsNonPositiveDataStandardDeviation() {
        var c = EDMPreconditioning.Configuration()
        c.sigmaData = 0
        #expect(throws: ConfigurationError.outOfRange(key: "sigmaData", value: "0.0", expected: "a finite number > 0"))
        {
            try EDMPreconditioning(configuration: c)
        }
    }
}
