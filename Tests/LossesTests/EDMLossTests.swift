import Foundation
import ScoreKitCore
import ScoreKitLosses
import Testing

@Suite struct EDMLossTests {
    static func loss(_ settings: ConfigurationValue = ["kind": "edm"]) throws -> EDMLoss {
        var registry = ComponentRegistry()
        registry.registerLosses()
        return try #require(try registry.make(.loss, from: settings) as? EDMLoss)
    }

    /// EDM's `EDMLoss`: ln σ = P_mean + P_std·z, y + n·σ, λ(σ)·‖D(y + n) − y‖² with D preconditioned.
    @Test func matchesKarrasEquationTwoByHand() throws {
        let z: [Float] = [-0.5, 1.25]
        var noise = ReplayedNoise(normals: [Tensor(z), tinyNoise])
        let process = TestProcess(.exploding)
        let loss = try Self.loss()
        let result = loss.evaluate(
            TrainingBatch(data: tinyData), model: tinyModel, sde: process, parameterization: EDMTestParameterization(),
            noise: &noise)
        #expect(noise.isExhausted)
        let x0 = rows(tinyData), eps = rows(tinyNoise)
        for i in 0..<2 {
            let sigma = Foundation.exp(-1.2 + 1.2 * Double(z[i]))
            #expect(isClose(result.times[i], sigma, absolute: 1e-12, relative: 1e-12))
            let (cSkip, cOut, cIn) = (
                0.25 / (sigma * sigma + 0.25), sigma * 0.5 / (sigma * sigma + 0.25).squareRoot(),
                1 / (sigma * sigma + 0.25).squareRoot()
            )
            let x = zip(x0[i], eps[i]).map { $0 + sigma * $1 }
            let f = tinyModel.apply(x.map { $0 * cIn })
            let denoised = zip(x, f).map { cSkip * $0 + cOut * $1 }
            let lambda = (sigma * sigma + 0.25) / ((sigma * 0.5) * (sigma * 0.5))
            #expect(isClose(lambda * cOut * cOut, 1, absolute: 1e-12))
            let expected = lambda * zip(denoised, x0[i]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 2
            #expect(isClose(Double(result.perSample.scalars[i]), expected, absolute: 1e-6, relative: 1e-4))
        }
        #expect(isClose(loss.weight(noiseLevel: 0.5), 8, absolute: 1e-12))  // (0.25 + 0.25)/(0.25·0.25)
    }

    @Test func clampsTimesToTheProcessRange() throws {
        var noise = ReplayedNoise(normals: [Tensor([-6, 6]), Tensor.zeros([2, 2])])
        let result = try Self.loss().evaluate(
            TrainingBatch(data: tinyData), model: tinyModel, sde: TestProcess(.exploding),
            parameterization: EDMTestParameterization(), noise: &noise)
        #expect(result.times == [0.01, 10])
    }

    @Test func validatesItsSettings() throws {
        #expect(throws: ConfigurationError.self) { try Self.loss(["kind": "edm", "sigmaData": 0]) }
        #expect(throws: ConfigurationError.self) { try Self.loss(["kind": "edm", "logNormalStandardDeviation": -1]) }
        let defaults = EDMLoss.Configuration()
        #expect(
            defaults.logNormalMean == -1.2 && defaults.logNormalStandardDeviation == 1.2 && defaults.sigmaData == 0.5)
    }
}
