import Foundation
import ScoreKitCore
import ScoreKitSamplers
import Testing

@Suite struct ModelClassifierTests {
    /// Logits z = W·x, whatever the condition: ∇ₓ log softmax(z)[c] = Wᵀ(onehot(c) − softmax(z)).
    struct LinearLogits: ScoreModel {
        let weight: [[Double]]  // [K][d]
        func callAsFunction(_ x: Tensor, _ condition: NoiseCondition) -> Tensor {
            let w = Tensor(weight.flatMap { $0.map(Float.init) }, shape: [weight.count, weight[0].count])
            return Tensor.linear(x, weight: w, bias: Tensor.zeros([weight.count]))
        }
    }

    @Test("the gradient of log p(c | x) through the network is Wᵀ(onehot(c) − softmax(Wx)) per row")
    func linearLogits() {
        let w = [[1.0, -0.5], [0.3, 2.0], [-1.2, 0.4]]
        let x = [[0.4, -0.3], [1.1, 0.6], [-0.7, 0.2]]
        let classes = [2, 0, 1]
        let classifier = ModelClassifier(model: LinearLogits(weight: w))
        let gradient = classifier.logProbabilityGradient(
            Tensor(x.flatMap { $0.map(Float.init) }, shape: [3, 2]), classes: classes, at: 0.5,
            marginal: Marginal(signalScale: 0.8, noiseScale: 0.6, signalScaleDerivative: 0, noiseScaleDerivative: 0)
        ).scalars.map(Double.init)
        for (i, row) in x.enumerated() {
            let z = w.map { zip($0, row).map(*).reduce(0, +) }
            let total = z.map { exp($0) }.reduce(0, +)
            let p = z.map { exp($0) / total }
            for j in 0..<2 {
                let expected = (0..<3).map { k in w[k][j] * ((k == classes[i] ? 1 : 0) - p[k]) }.reduce(0, +)
                #expect(abs(gradient[i * 2 + j] - expected) < 1e-5, "row \(i), axis \(j)")
            }
        }
    }
}
