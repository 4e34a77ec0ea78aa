import ScoreKitCore
import ScoreKitNetworks
import ScoreKitTesting
import Testing

@Suite struct ResidualBlockTests {
    static func block(_ normalization: Normalization) -> ResidualBlock {
        ResidualBlock(
            name: "blocks.0", width: 4, embeddingWidth: 3, normalization: normalization, groupCount: 2,
            activation: .silu)
    }

    @Test func namesItsParametersInOrder() {
        var stream = RandomStream(seed: 1, stream: 0)
        let entries = Self.block(.layer).initialParameters(
            stream: &stream, initialization: .pytorchDefault, outputInitialization: .pytorchDefault)
        #expect(
            entries.map(\.0) == [
                "blocks.0.norm1.weight", "blocks.0.norm1.bias", "blocks.0.linear1.weight", "blocks.0.linear1.bias",
                "blocks.0.embedding.weight", "blocks.0.embedding.bias", "blocks.0.norm2.weight", "blocks.0.norm2.bias",
                "blocks.0.linear2.weight", "blocks.0.linear2.bias",
            ])
        #expect(Self.block(.none).parameterCount == 6)
        #expect(Self.block(.group).parameterCount == 10)
    }

    @Test func zeroOutputMakesTheIdentity() {
        var stream = RandomStream(seed: 2, stream: 0)
        let block = Self.block(.group)
        let parameters = ParameterSet(
            block.initialParameters(stream: &stream, initialization: .xavierUniform, outputInitialization: .zero))
        let h = normalTensor([5, 4], seed: 3)
        #expect(block(h, embedding: normalTensor([5, 3], seed: 4), parameters, at: 0) == h)
    }

    @Test(arguments: Normalization.allCases)
    func gradientsMatchFiniteDifferences(_ normalization: Normalization) {
        var stream = RandomStream(seed: 7, stream: 0)
        let block = Self.block(normalization)
        let parameters = ParameterSet(
            block.initialParameters(
                stream: &stream, initialization: .pytorchDefault, outputInitialization: .xavierNormal))
        let h = normalTensor([3, 4], seed: 8)
        let e = normalTensor([3, 3], seed: 9)
        let result = checkGradients(
            of: { inputs in
                block(inputs[0], embedding: inputs[1], replacing(parameters, with: Array(inputs[2...])), at: 0)
            }, at: [h, e] + parameters.tensors, absoluteTolerance: 1e-3, relativeTolerance: 1e-2)
        #expect(result.passed, "\(result)")
    }
}
