import Foundation
import ScoreKitCore
import ScoreKitLosses
import Testing

@Suite struct ClassifierCrossEntropyTests {
    @Test("each sample's term is −log softmax(f(x_t, t))[y] at x_t = α(t)x₀ + σ(t)ε, t uniform over the range")
    func handComputed() {
        let sde = TestProcess(.trigonometric)
        let u: [Float] = [0.25, 0.7]
        var noise = ReplayedNoise(normals: [tinyNoise], uniforms: [Tensor(u)])
        let labels = [1, 0]
        let evaluation = ClassifierCrossEntropy(configuration: .init()).evaluate(
            TrainingBatch(data: tinyData, labels: labels), model: tinyModel, sde: sde,
            parameterization: PredictionParameterization(.epsilon), noise: &noise)
        #expect(noise.isExhausted)
        let (data, eps) = (rows(tinyData), rows(tinyNoise))
        let terms = (0..<2).map { i -> Double in
            let t = 0.01 + Double(u[i]) * 0.98
            #expect(isClose(evaluation.times[i], t, absolute: 1e-6))
            let m = sde.marginal(at: t)
            let x = (0..<2).map { m.signalScale * data[i][$0] + m.noiseScale * eps[i][$0] }
            let z = tinyModel.apply(x)
            return log(z.map { exp($0) }.reduce(0, +)) - z[labels[i]]
        }
        let perSample = evaluation.perSample.scalars.map(Double.init)
        for i in 0..<2 { #expect(isClose(perSample[i], terms[i], absolute: 1e-5), "\(perSample) vs \(terms)") }
        #expect(isClose(Double(evaluation.value.scalar), (terms[0] + terms[1]) / 2, absolute: 1e-5))
    }

    @Test("equal logits cost log K, whatever the labels")
    func chance() {
        struct Zero: ScoreModel {
            func callAsFunction(_ x: Tensor, _ condition: NoiseCondition) -> Tensor { Tensor.zeros([x.shape[0], 5]) }
        }
        var noise = PerSampleNoise(seed: 3)
        let evaluation = ClassifierCrossEntropy(configuration: .init()).evaluate(
            TrainingBatch(data: tinyData, labels: [4, 0]), model: Zero(), sde: TestProcess(.linear),
            parameterization: PredictionParameterization(.epsilon), noise: &noise)
        #expect(isClose(Double(evaluation.value.scalar), log(5.0), absolute: 1e-6))
    }
}
