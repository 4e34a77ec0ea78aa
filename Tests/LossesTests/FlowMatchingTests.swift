import Foundation
import ScoreKitCore
import ScoreKitLosses
import Testing

@Suite struct FlowMatchingTests {
    static func loss(_ settings: ConfigurationValue = ["kind": "flow-matching"]) throws -> FlowMatching {
        var registry = ComponentRegistry()
        registry.registerLosses()
        return try #require(try registry.make(.loss, from: settings) as? FlowMatching)
    }

    /// Rectified flow: with the linear interpolant and u-prediction, mean_d ‖F(x_t) − (ε − x₀)‖².
    @Test func isRectifiedFlowsLossOnTheLinearInterpolant() throws {
        var noise = ReplayedNoise(normals: [tinyNoise], uniforms: [Tensor([0.25, 0.5])])
        let process = TestProcess(.linear)
        let result = try Self.loss().evaluate(
            TrainingBatch(data: tinyData), model: tinyModel, sde: process,
            parameterization: PredictionParameterization(.flowVelocity), noise: &noise)
        let x0 = rows(tinyData), eps = rows(tinyNoise)
        for i in 0..<2 {
            let t = 0.01 + [0.25, 0.5][i] * 0.98
            #expect(isClose(result.times[i], t, absolute: 1e-12))
            let x = zip(x0[i], eps[i]).map { (1 - t) * $0 + t * $1 }
            let u = zip(eps[i], x0[i]).map { $0 - $1 }
            let expected = zip(tinyModel.apply(x), u).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 2
            #expect(isClose(Double(result.perSample.scalars[i]), expected, absolute: 1e-6, relative: 1e-4))
        }
    }

    /// Any process, any target: u_θ from x̂₀ (u = α'x̂₀ + σ'(x − αx̂₀)/σ) against α'x₀ + σ'ε.
    @Test(arguments: [TestProcess.Kind.trigonometric, .exploding], [Prediction.score, .epsilon, .velocity])
    func regressesTheVelocityThroughAnyParameterization(_ kind: TestProcess.Kind, _ prediction: Prediction) throws {
        var noise = ReplayedNoise(normals: [tinyNoise], uniforms: [Tensor([0.125, 0.75])])
        let process = TestProcess(kind)
        let result = try Self.loss(["kind": "flow-matching", "reduction": "sum"]).evaluate(
            TrainingBatch(data: tinyData), model: tinyModel, sde: process,
            parameterization: PredictionParameterization(prediction), noise: &noise)
        let x0 = rows(tinyData), eps = rows(tinyNoise)
        for i in 0..<2 {
            let m = process.marginal(at: result.times[i])
            let c = prediction.preconditioning(for: m)
            let x = zip(x0[i], eps[i]).map { m.signalScale * $0 + m.noiseScale * $1 }
            let denoised = zip(x, tinyModel.apply(x)).map { c.skipScale * $0 + c.outputScale * $1 }
            let velocity = zip(denoised, x).map {
                m.signalScaleDerivative * $0 + m.noiseScaleDerivative * ($1 - m.signalScale * $0) / m.noiseScale
            }
            let target = zip(x0[i], eps[i]).map { m.signalScaleDerivative * $0 + m.noiseScaleDerivative * $1 }
            let expected = zip(velocity, target).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            #expect(
                isClose(Double(result.perSample.scalars[i]), expected, absolute: 1e-5, relative: 2e-4),
                "\(kind) \(prediction)")
        }
    }

    @Test func dropsLabels() throws {
        var noise = ReplayedNoise(
            normals: [Tensor.zeros([2, 1])], uniforms: [Tensor([0.5, 0.5]), Tensor([0.05, 0.5])])
        let result = try Self.loss(["kind": "flow-matching", "labelDropout": 0.1]).evaluate(
            TrainingBatch(data: Tensor.zeros([2, 1]), labels: [3, 3]), model: LabelEchoModel(),
            sde: TestProcess(.linear),
            parameterization: PredictionParameterization(.flowVelocity), noise: &noise)
        // x₀ = ε = 0: u = 0, so each sample's loss is its echoed label squared.
        #expect(result.perSample.scalars == [1, 9])
    }
}
