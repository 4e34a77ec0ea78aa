import ScoreKitCore
import ScoreKitNetworks
import ScoreKitTesting
import Testing

@Suite struct LayerNormTests {
    @Test func normalisesEachRowByHand() {
        let norm = LayerNorm(name: "norm", featureCount: 4)
        let x = Tensor([1, 2, 3, 6, -1, -1, 1, 1], shape: [2, 4])
        let weight = Tensor([1, 2, 1, 0.5])
        let bias = Tensor([0, 0, 1, 0])
        let y = norm(x, weight: weight, bias: bias).scalars
        // Row 0: μ = 3, v = (4 + 1 + 0 + 9)/4 = 3.5.  Row 1: μ = 0, v = 1.
        let s0 = (3.5 + 1e-5).squareRoot()
        let s1 = (1 + 1e-5).squareRoot()
        let expected = [-2 / s0, 2 * -1 / s0, 0 / s0 + 1, 0.5 * 3 / s0, -1 / s1, 2 * -1 / s1, 1 / s1 + 1, 0.5 / s1]
        for (a, b) in zip(y, expected) { #expect(isClose(Double(a), b, absolute: 1e-5), "\(y) vs \(expected)") }
    }

    @Test func startsAsPlainStandardisation() {
        let norm = LayerNorm(name: "blocks.0.norm", featureCount: 5)
        let entries = norm.initialParameters()
        #expect(entries.map(\.0) == ["blocks.0.norm.weight", "blocks.0.norm.bias"])
        let parameters = ParameterSet(entries)
        let y = norm(normalTensor([3, 5], seed: 1, scale: 3) + 2, parameters, at: 0)
        let mean = y.mean(alongAxis: 1).scalars
        let variance = square(y).mean(alongAxis: 1).scalars
        for i in 0..<3 {
            #expect(Swift.abs(mean[i]) < 1e-5)
            #expect(Swift.abs(variance[i] - 1) < 1e-3)
        }
    }

    @Test func gradientsMatchFiniteDifferencesToSecondOrder() {
        let norm = LayerNorm(name: "norm", featureCount: 4)
        let inputs = [normalTensor([3, 4], seed: 2), normalTensor([4], seed: 3) * 0.5 + 1, normalTensor([4], seed: 4)]
        let f: ([Tensor]) -> Tensor = { norm($0[0], weight: $0[1], bias: $0[2]) }
        let first = checkGradients(of: f, at: inputs, absoluteTolerance: 1e-3, relativeTolerance: 1e-2)
        #expect(first.passed, "\(first)")
        // A non-linear output so that the second derivative in γ and β is not identically zero.
        let g: ([Tensor]) -> Tensor = { square(f($0)) }
        let second = checkSecondOrder(of: g, at: inputs, absoluteTolerance: 2e-3, relativeTolerance: 2e-2)
        #expect(second.passed, "\(second)")
    }
}
