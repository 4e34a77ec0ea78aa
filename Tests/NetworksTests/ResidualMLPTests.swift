import ScoreKitCore
import ScoreKitNetworks
import ScoreKitTesting
import Testing

@Suite struct ResidualMLPTests {
    static func registry() -> ComponentRegistry {
        var registry = ComponentRegistry()
        registry.registerNetworks()
        return registry
    }

    static func model(
        _ settings: ConfigurationValue, classCount: Int = 0, dimension: Int = 2
    ) throws -> any TrainableModel {
        let architecture = try registry().make(.network, from: settings)
        return architecture.makeModel(sampleShape: [dimension], classCount: classCount, seed: 4)
    }

    @Test func isRegisteredWithItsDefaults() throws {
        #expect(Self.registry().ids(of: .network).contains("residual-mlp"))
        let defaults = ResidualMLPArchitecture.Configuration()
        #expect(defaults.width == 128 && defaults.blockCount == 4 && defaults.embedding == .sinusoidal)
        #expect(defaults.normalization == .layer && defaults.activation == .silu && defaults.embeddingWidth == 64)
        let model = try Self.model(["kind": "residual-mlp"])
        // embedding 64→64→64, input 2→128, 4 blocks (2 norms, 128→128 twice, 64→128), norm, output 128→2.
        let block = 2 * (2 * 128) + 2 * (128 * 128 + 128) + (64 * 128 + 128)
        let expected = 2 * (64 * 64 + 64) + (2 * 128 + 128) + 4 * block + 2 * 128 + (128 * 2 + 2)
        #expect(model.parameters.scalarCount == expected)
    }

    @Test func namesParametersByPath() throws {
        let model = try Self.model(
            [
                "kind": "residual-mlp", "width": 8, "blockCount": 2, "embedding": "fourier", "embeddingWidth": 4,
                "normalization": "group", "groupCount": 2,
            ], classCount: 3)
        let names = model.parameters.names
        #expect(
            names.prefix(7) == [
                "embedding.dense1.weight", "embedding.dense1.bias", "embedding.dense2.weight", "embedding.dense2.bias",
                "labelEmbedding.weight", "input.weight", "input.bias",
            ])
        #expect(names.contains("blocks.1.norm2.weight"))
        #expect(names.suffix(4) == ["norm.weight", "norm.bias", "output.weight", "output.bias"])
        #expect(model.parameters["labelEmbedding.weight"]?.shape == [4, 4])
    }

    @Test func labelsConditionTheOutput() throws {
        let model = try Self.model(
            ["kind": "residual-mlp", "width": 8, "blockCount": 1, "embeddingWidth": 4], classCount: 2)
        let x = normalTensor([3, 2], seed: 1)
        let a = model(x, condition(count: 3, sigma: 0.5, labels: [0, 0, 0]))
        let b = model(x, condition(count: 3, sigma: 0.5, labels: [1, 1, 1]))
        let null = model(x, condition(count: 3, sigma: 0.5, labels: [-1, -1, -1]))
        let none = model(x, condition(count: 3, sigma: 0.5))
        #expect(a.shape == [3, 2])
        #expect(a != b)
        #expect(null == none)
    }

    @Test func zeroOutputStartsAtZeroAndNoiseMatters() throws {
        let zero = try Self.model(["kind": "residual-mlp", "width": 8, "blockCount": 2, "outputInitialization": "zero"])
        let x = normalTensor([4, 2], seed: 2)
        #expect(zero(x, condition(count: 4, sigma: 1)).scalars.allSatisfy { $0 == 0 })
        let model = try Self.model([
            "kind": "residual-mlp", "width": 8, "blockCount": 2, "embedding": "levelTable", "levelCount": 5,
        ])
        #expect(model(x, condition(count: 4, sigma: 10)) != model(x, condition(count: 4, sigma: 0.01)))
    }

    @Test func rejectsInvalidSettings() throws {
        let registry = Self.registry()
        #expect(throws: ConfigurationError.self) {
            try registry.make(.network, from: ["kind": "residual-mlp", "normalization": "group", "groupCount": 3])
        }
        #expect(throws: ConfigurationError.self) {
            try registry.make(.network, from: ["kind": "residual-mlp", "embedding": "fourier", "embeddingWidth": 5])
        }
        var bad = ResidualMLPArchitecture.Configuration()
        bad.width = 0
        let expected = "an integer from 1 to 65,536 (the ceiling for widths)"
        #expect(throws: ConfigurationError.outOfRange(key: "width", value: "0", expected: expected)) {
            try bad.validate()
        }
    }

    @Test(arguments: [Activation.silu, .gelu, .softplus, .tanh])
    func parameterGradientsMatchFiniteDifferences(_ activation: Activation) throws {
        let model = try Self.model(
            [
                "kind": "residual-mlp", "width": 4, "blockCount": 2, "embedding": "sinusoidal", "embeddingWidth": 4,
                "activation": .string(activation.rawValue), "normalization": "layer",
            ], classCount: 2)
        let x = normalTensor([3, 2], seed: 3)
        let c = NoiseCondition(
            time: Tensor([0.2, 0.5, 0.8]), signalScale: Tensor([1, 0.9, 0.6]), noiseScale: Tensor([0.1, 0.5, 0.8]),
            labels: [0, -1, 1])
        let result = checkGradients(
            of: { inputs in
                var copy = model
                copy.parameters = replacing(model.parameters, with: inputs)
                return copy(x, c)
            }, at: model.parameters.tensors, absoluteTolerance: 2e-3, relativeTolerance: 2e-2)
        #expect(result.passed, "\(result)")
    }

    @Test func inputJacobianDifferentiatesThroughParameters() throws {
        // What sliced score matching needs: ∇_θ of vᵀ∇ₓ(vᵀF) through group normalisation and GELU.
        let model = try Self.model(
            [
                "kind": "residual-mlp", "width": 4, "blockCount": 1, "embeddingWidth": 4, "activation": "gelu",
                "normalization": "group", "groupCount": 2,
            ])
        let x = normalTensor([2, 2], seed: 5)
        let v = normalTensor([2, 2], seed: 6)
        let c = condition(count: 2, sigma: 0.3)
        let result = checkGradients(
            of: { inputs in
                var copy = model
                copy.parameters = replacing(model.parameters, with: inputs)
                let input = x.tracked()
                let vf = Tensor.rowDot(v, copy(input, c))
                let jv = gradients(of: vf, wrt: [input], createGraph: true)[0]
                return Tensor.rowDot(v, jv)
            }, at: model.parameters.tensors, absoluteTolerance: 2e-3, relativeTolerance: 3e-2)
        #expect(result.passed, "\(result)")
    }
}
