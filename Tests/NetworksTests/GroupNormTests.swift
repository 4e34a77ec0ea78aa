import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitTesting
import Testing

@Suite struct GroupNormTests {
    /// torch.nn.GroupNorm written as loops, in Double: x [N, C, L].
    static func reference(_ x: Tensor, groups: Int, weight: [Float], bias: [Float], epsilon: Double = 1e-5) -> [Double]
    {
        let (n, c) = (x.shape[0], x.shape[1])
        let l = x.rank > 2 ? x.shape[2...].reduce(1, *) : 1
        let values = x.scalars.map(Double.init)
        var out = [Double](repeating: 0, count: values.count)
        let per = c / groups
        for i in 0..<n {
            for g in 0..<groups {
                var indices: [Int] = []
                for ch in (g * per)..<((g + 1) * per) { for p in 0..<l { indices.append((i * c + ch) * l + p) } }
                let mean = indices.map { values[$0] }.reduce(0, +) / Double(indices.count)
                let variance =
                    indices.map { (values[$0] - mean) * (values[$0] - mean) }.reduce(0, +) / Double(indices.count)
                for k in indices {
                    let ch = (k / l) % c
                    out[k] =
                        (values[k] - mean) / (variance + epsilon).squareRoot() * Double(weight[ch]) + Double(bias[ch])
                }
            }
        }
        return out
    }

    @Test(arguments: [[2, 6], [3, 4, 5], [2, 4, 2, 3]])
    func matchesTheDefinition(_ shape: [Int]) {
        let channels = shape[1]
        let groups = 2
        let norm = GroupNorm(name: "gn", groupCount: groups, channelCount: channels)
        let x = normalTensor(shape, seed: 11, scale: 2) + 0.5
        let weight = (0..<channels).map { 0.5 + Float($0) * 0.25 }
        let bias = (0..<channels).map { Float($0) * 0.1 - 0.2 }
        let y = norm(x, weight: Tensor(weight), bias: Tensor(bias))
        #expect(y.shape == shape)
        let expected = Self.reference(x, groups: groups, weight: weight, bias: bias)
        for (a, b) in zip(y.scalars, expected) { #expect(isClose(Double(a), b, absolute: 1e-5, relative: 1e-5)) }
    }

    @Test func oneGroupOnVectorsIsLayerNorm() {
        let x = normalTensor([4, 6], seed: 5)
        let group = GroupNorm(name: "n", groupCount: 1, channelCount: 6)
        let layer = LayerNorm(name: "n", featureCount: 6)
        let parameters = ParameterSet(group.initialParameters())
        let a = group(x, parameters, at: 0).scalars
        let b = layer(x, parameters, at: 0).scalars
        for (u, v) in zip(a, b) { #expect(Swift.abs(u - v) < 1e-6) }
    }

    /// Groups of 3 and of 6 values (groups of 2 normalise to ±1 and leave finite differences only rounding).
    @Test(arguments: [[3, 6], [2, 4, 3]])
    func gradientsMatchFiniteDifferencesToSecondOrder(_ shape: [Int]) {
        let channels = shape[1]
        let norm = GroupNorm(name: "gn", groupCount: 2, channelCount: channels)
        let inputs = [
            normalTensor(shape, seed: 21), normalTensor([channels], seed: 22) * 0.5 + 1,
            normalTensor([channels], seed: 23),
        ]
        let f: ([Tensor]) -> Tensor = { norm($0[0], weight: $0[1], bias: $0[2]) }
        let first = checkGradients(of: f, at: inputs, absoluteTolerance: 1e-3, relativeTolerance: 1e-2)
        #expect(first.passed, "\(first)")
        let second = checkSecondOrder(
            of: { square(f($0)) }, at: inputs, absoluteTolerance: 2e-3, relativeTolerance: 2e-2)
        #expect(second.passed, "\(second)")
    }
}
