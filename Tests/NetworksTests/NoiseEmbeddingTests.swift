import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitTesting
import Testing

@Suite struct NoiseEmbeddingTests {
    /// The embedding and its parameters, drawn from seed 3.
    static func make(
        _ kind: NoiseEmbedding.Kind, width: Int = 6, input: NoiseConditionalMLP.ConditioningInput = .logNoiseLevel
    )
        -> (NoiseEmbedding, ParameterSet)
    {
        let embedding = NoiseEmbedding(
            name: "embedding", kind: kind, width: width, input: input, activation: .silu, sinusoidalScale: 1000,
            fourierScale: 16, noiseLevels: NoiseEmbedding.geometricLevels(count: 4, sigmaMax: 10, sigmaMin: 0.01),
            seed: 3)
        var stream = RandomStream(seed: 3, stream: 0)
        return (embedding, ParameterSet(embedding.initialParameters(stream: &stream, initialization: .pytorchDefault)))
    }

    @Test func sinusoidalFeaturesAreDDPMs() {
        let (embedding, _) = Self.make(.sinusoidal, width: 6, input: .time)
        let c = condition(count: 2, sigma: 1, time: 0.002)
        let phi = embedding.features(c).scalars
        // get_timestep_embedding: half = 3, f_j = 10000^(−j/2), angle = 1000·t·f_j = 2·f_j.
        let angles = (0..<3).map { 2 * Foundation.pow(10000, -Double($0) / 2) }
        let expected = angles.map(Foundation.sin) + angles.map(Foundation.cos)
        #expect(phi.count == 12)
        for (a, b) in zip(phi.prefix(6), expected) {
            #expect(isClose(Double(a), b, absolute: 1e-5), "\(phi) vs \(expected)")
        }
        #expect(Array(phi.prefix(6)) == Array(phi.suffix(6)))
    }

    @Test func fourierFrequenciesAreFixedBySeedAndNotParameters() {
        let (embedding, parameters) = Self.make(.fourier)
        #expect(
            parameters.names == [
                "embedding.dense1.weight", "embedding.dense1.bias", "embedding.dense2.weight", "embedding.dense2.bias",
            ])
        let c = condition(count: 1, sigma: 0.5)
        let phi = embedding.features(c).scalars
        // ω ~ N(0, 1) from stream 1 of the seed, scaled by 2π·16; c = ln 0.5.
        var stream = RandomStream(seed: 3, stream: 1)
        let omega = Tensor(shape: [3]) { stream.fillNormal($0) }.scalars
        let angles = omega.map { 2 * Double.pi * 16 * Double($0) * Foundation.log(0.5) }
        let expected = angles.map(Foundation.sin) + angles.map(Foundation.cos)
        for (a, b) in zip(phi, expected) { #expect(isClose(Double(a), b, absolute: 1e-4), "\(phi) vs \(expected)") }
        // A second model from the same seed has the same frequencies; another seed does not.
        let again = NoiseEmbedding(
            name: "embedding", kind: .fourier, width: 6, input: .logNoiseLevel, activation: .silu, seed: 3)
        let other = NoiseEmbedding(
            name: "embedding", kind: .fourier, width: 6, input: .logNoiseLevel, activation: .silu, seed: 4)
        #expect(again.features(c) == embedding.features(c))
        #expect(other.features(c) != embedding.features(c))
    }

    @Test func levelTableIndexesTheNearestLevel() {
        let (embedding, parameters) = Self.make(.levelTable, width: 5)
        #expect(parameters.names == ["embedding.weight"])
        #expect(parameters.tensors[0].shape == [4, 5])
        // Levels 10, 1, 0.1, 0.01; σ/α = 0.9 → 1, 12 → 10, 0.004 → 0.01, 0.05/0.5 = 0.1 → 0.1.
        let c = NoiseCondition(
            time: Tensor([0, 0, 0, 0]), signalScale: Tensor([1, 1, 1, 0.5]), noiseScale: Tensor([0.9, 12, 0.004, 0.05]))
        #expect(embedding.levelIndices(c) == [1, 0, 3, 2])
        let e = embedding(c, parameters, at: 0)
        #expect(e == parameters.tensors[0].gathering(rows: [1, 0, 3, 2]))
    }

    @Test func mlpIsTheSeedNetworksEmbedding() {
        let (embedding, parameters) = Self.make(.mlp, width: 4)
        let c = condition(count: 3, sigma: 2)
        let e = embedding(c, parameters, at: 0)
        let x = Tensor.full([3, 1], Float(Foundation.log(2.0)))
        let expected = Tensor.linear(
            silu(Tensor.linear(x, weight: parameters.tensors[0], bias: parameters.tensors[1])),
            weight: parameters.tensors[2], bias: parameters.tensors[3])
        #expect(e == expected)
    }

    @Test(arguments: NoiseEmbedding.Kind.allCases)
    func parameterGradientsMatchFiniteDifferencesToSecondOrder(_ kind: NoiseEmbedding.Kind) {
        let (embedding, parameters) = Self.make(kind, width: 4)
        let c = NoiseCondition(
            time: Tensor([0.1, 0.5, 0.9]), signalScale: Tensor([1, 1, 1]), noiseScale: Tensor([0.02, 0.7, 5]))
        let f: ([Tensor]) -> Tensor = { square(embedding(c, replacing(parameters, with: $0), at: 0)) }
        let first = checkGradients(of: f, at: parameters.tensors, absoluteTolerance: 1e-3, relativeTolerance: 1e-2)
        #expect(first.passed, "\(first)")
        let second = checkSecondOrder(of: f, at: parameters.tensors, absoluteTolerance: 2e-3, relativeTolerance: 2e-2)
        #expect(second.passed, "\(second)")
    }
}
