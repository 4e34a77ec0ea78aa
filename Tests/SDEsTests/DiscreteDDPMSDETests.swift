import Foundation
import ScoreKitCore
import ScoreKitSDEs
import Testing

@Suite("DiscreteDDPMSDE")
struct DiscreteDDPMSDETests {
    func chain(_ edit: (inout DiscreteDDPMSDE.Configuration) -> Void) throws -> DiscreteDDPMSDE {
        var c = DiscreteDDPMSDE.Configuration()
        edit(&c)
        return try DiscreteDDPMSDE(configuration: c)
    }

    /// `numpy.cumprod(1 − linspace(…))` in Float64, as printed by NumPy.
    @Test func matchesTheCumulativeProductsOfDiffusers() throws {
        let linear = DiscreteDDPMSDE()
        #expect(isClose(linear.squaredSignalScales[1], 0.9999, relative: 1e-14))
        #expect(isClose(linear.squaredSignalScales[500], 0.07858724288177824, relative: 1e-12))
        #expect(isClose(linear.squaredSignalScales[1000], 4.035829765375676e-05, relative: 1e-11))
        let scaled = try chain {
            $0.betaSchedule = .scaledLinear; $0.betaStart = 0.00085; $0.betaEnd = 0.012
        }
        #expect(isClose(scaled.squaredSignalScales[1000], 0.004660098513077238, relative: 1e-11))
        let cosine = try chain { $0.betaSchedule = .cosine }
        #expect(isClose(cosine.betas[999], 0.999, relative: 1e-12))
        #expect(isClose(cosine.squaredSignalScales[1], 0.999958715775178, relative: 1e-12))
        #expect(isClose(cosine.squaredSignalScales[1000], 2.4287669070348567e-09, relative: 1e-8))
    }

    @Test func isExactAtTheStepsAndStepsAreTheChainsOwn() {
        let sde = DiscreteDDPMSDE()
        let betas = sde.betas
        var alphaBar = 1.0
        for (i, t) in sde.stepTimes.enumerated() {
            alphaBar *= 1 - betas[i]
            let m = sde.marginal(at: t)
            #expect(isClose(m.signalScale * m.signalScale, alphaBar, relative: 1e-12))
            if i > 0 {
                let (a, b) = sde.transition(from: sde.stepTimes[i - 1], to: t)
                #expect(isClose(a, (1 - betas[i]).squareRoot(), relative: 1e-12))
                #expect(isClose(b * b, betas[i], relative: 1e-9))
            }
        }
        #expect(sde.stepTimes.count == 1000 && sde.timeRange == 0.001...1)
        #expect(isClose(betas[0], 1e-4, relative: 1e-9) && isClose(betas[999], 0.02, relative: 1e-9))
    }

    @Test func interpolatesTheSignalVarianceLinearlyBetweenSteps() {
        let sde = DiscreteDDPMSDE()
        let (lower, upper) = (sde.marginal(at: 0.25), sde.marginal(at: 0.251))
        let middle = sde.marginal(at: 0.2505)
        let expected = 0.5 * (lower.signalScale * lower.signalScale + upper.signalScale * upper.signalScale)
        #expect(isClose(middle.signalScale * middle.signalScale, expected, relative: 1e-12))
        let zero = sde.marginal(at: 0)
        #expect(zero.signalScale == 1 && zero.noiseScale == 0)
    }

    /// Lin et al. (2024): √ᾱ shifted and scaled so that ᾱ_N = 0 and ᾱ₁ is kept.
    @Test func rescalesToZeroTerminalSNR() throws {
        let plain = DiscreteDDPMSDE()
        let rescaled = try chain { $0.rescale = .zeroTerminalSNR }
        #expect(rescaled.squaredSignalScales[1000] == 0)
        #expect(isClose(rescaled.squaredSignalScales[1], plain.squaredSignalScales[1], relative: 1e-14))
        #expect(rescaled.marginal(at: 1).logSignalToNoiseRatio == -.infinity)
        #expect(rescaled.priorStandardDeviation == 1)
        // √ᾱ is an affine image of the original.
        let (s1, sN) = (plain.squaredSignalScales[1].squareRoot(), plain.squaredSignalScales[1000].squareRoot())
        let expected = (plain.squaredSignalScales[400].squareRoot() - sN) * s1 / (s1 - sN)
        #expect(isClose(rescaled.squaredSignalScales[400].squareRoot(), expected, relative: 1e-12))
    }

    @Test func rejectsInvalidSchedules() throws {
        #expect(
            throws: ConfigurationError.outOfRange(
                key: "betaEnd", value: "1e-05", expected: "a number ≥ betaStart (0.0001) and < 1")
        ) {
            try chain { $0.betaEnd = 1e-5 }
        }
        #expect(throws: ConfigurationError.self) { try chain { $0.trainStepCount = 1 } }
        #expect(throws: ConfigurationError.self) { try chain { $0.betaStart = 0 } }
    }
}
