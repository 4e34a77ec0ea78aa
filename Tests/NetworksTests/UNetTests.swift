import ScoreKitCore
import ScoreKitNetworks
import ScoreKitTesting
import Testing

@Suite struct UNetTests {
    static func registry() -> ComponentRegistry {
        var registry = ComponentRegistry()
        registry.registerNetworks()
        return registry
    }

    /// Two levels of 4 and 8 channels on 4×4 images, attention at 2×2, one block per level.
    static let tiny: ConfigurationValue = [
        "kind": "unet", "baseChannels": 4, "channelMultipliers": [1, 2], "blocksPerLevel": 1,
        "attentionResolutions": [2], "groupCount": 2, "headCount": 2, "embeddingWidth": 8,
    ]

    static func model(
        _ settings: ConfigurationValue = tiny, sampleShape: [Int] = [1, 4, 4], classCount: Int = 0
    ) throws -> any TrainableModel {
        let architecture = try registry().make(.network, from: settings)
        return architecture.makeModel(sampleShape: sampleShape, classCount: classCount, seed: 7)
    }

    /// The model with its zero-initialised layers (output, conv₂ of each block, attention outputs)
    /// filled with small random values, so that every path carries signal.
    static func activated(_ model: any TrainableModel) -> any TrainableModel {
        var copy = model
        for (k, name) in model.parameters.names.enumerated()
        where name.hasPrefix("output.") || name.contains(".conv2.") || name.contains("attention.output.") {
            copy.parameters.tensors[k] = normalTensor(
                model.parameters.tensors[k].shape, seed: UInt64(100 + k), scale: 0.3)
        }
        return copy
    }

    @Test func isRegisteredWithItsDefaults() throws {
        #expect(Self.registry().ids(of: .network).contains("unet"))
        let defaults = UNetArchitecture.Configuration()
        #expect(
            defaults.baseChannels == 32 && defaults.channelMultipliers == [1, 2, 2] && defaults.blocksPerLevel == 2)
        let model = try Self.model(["kind": "unet"], sampleShape: [1, 8, 8])
        #expect(model.parameters.names.contains("middle.attention.qkv.weight"))
        #expect(model.parameters.names.contains("down.1.0.attention.norm.weight"))
        #expect(!model.parameters.names.contains("down.0.0.attention.norm.weight"))
        #expect(model.parameters["up.2.0.skip.weight"]?.shape == [64, 128, 1, 1])
    }

    @Test func namesAndShapes() throws {
        let model = try Self.model(classCount: 3)
        let names = model.parameters.names
        #expect(
            names.prefix(7) == [
                "embedding.dense1.weight", "embedding.dense1.bias", "embedding.dense2.weight", "embedding.dense2.bias",
                "labelEmbedding.weight", "input.weight", "input.bias",
            ])
        #expect(names.suffix(4) == ["norm.weight", "norm.bias", "output.weight", "output.bias"])
        #expect(model.parameters["down.0.downsample.weight"]?.shape == [4, 4, 3, 3])
        #expect(model.parameters["up.1.upsample.weight"]?.shape == [8, 8, 3, 3])
        // Up level 1 concatenates 8 + 8 (downsample's skip), then 8 + 4 (block 0's skip).
        #expect(model.parameters["up.1.0.conv1.weight"]?.shape == [8, 16, 3, 3])
        #expect(model.parameters["up.1.1.conv1.weight"]?.shape == [8, 12, 3, 3])
        #expect(model.parameters["up.0.1.skip.weight"]?.shape == [4, 8, 1, 1])
        #expect(model.parameters["down.1.0.attention.qkv.weight"]?.shape == [24, 8, 1, 1])
    }

    @Test func outputIsZeroAtInitialisationWithTheInputShape() throws {
        let model = try Self.model(sampleShape: [2, 4, 4])
        let x = normalTensor([3, 2, 4, 4], seed: 1)
        let y = model(x, condition(count: 3, sigma: 0.5))
        #expect(y.shape == [3, 2, 4, 4])
        #expect(y.scalars.allSatisfy { $0 == 0 })
        // [H, W] and flat square data shapes are one channel.
        for shape in [[4, 4], [16]] {
            let flat = try Self.model(sampleShape: shape)
            #expect(flat(x.reshaped([6, 16]), condition(count: 6, sigma: 0.5)).shape == [6, 16])
            #expect(flat.parameters["input.weight"]?.shape == [4, 1, 3, 3])
        }
    }

    @Test func samplesAreIndependentOfTheirBatch() throws {
        let model = Self.activated(try Self.model(classCount: 2))
        let x = normalTensor([3, 1, 4, 4], seed: 2)
        let c = NoiseCondition(
            time: Tensor([0.2, 0.5, 0.8]), signalScale: Tensor([1, 0.9, 0.6]), noiseScale: Tensor([0.1, 0.5, 0.8]),
            labels: [0, -1, 1])
        let whole = model(x, c)
        #expect(whole.scalars.contains { $0 != 0 })
        for i in 0..<3 {
            let single = NoiseCondition(
                time: c.time.slice(alongAxis: 0, i..<(i + 1)),
                signalScale: c.signalScale.slice(alongAxis: 0, i..<(i + 1)),
                noiseScale: c.noiseScale.slice(alongAxis: 0, i..<(i + 1)), labels: [c.labels![i]])
            let alone = model(x.slice(alongAxis: 0, i..<(i + 1)), single).scalars
            let inBatch = whole.slice(alongAxis: 0, i..<(i + 1)).scalars
            for (a, b) in zip(alone, inBatch) { #expect(Swift.abs(a - b) <= 1e-5 * Swift.max(1, Swift.abs(b))) }
        }
        // Labels condition the output.
        let other = model(
            x, NoiseCondition(time: c.time, signalScale: c.signalScale, noiseScale: c.noiseScale, labels: [1, -1, 0]))
        #expect(other.slice(alongAxis: 0, 0..<1) != whole.slice(alongAxis: 0, 0..<1))
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let model = Self.activated(try Self.model())
        let x = normalTensor([2, 1, 4, 4], seed: 3)
        let c = condition(count: 2, sigma: 0.4)
        // With respect to the input, and to every parameter.
        let input = checkGradients(of: { model($0, c) }, at: x, absoluteTolerance: 2e-3, relativeTolerance: 2e-2)
        #expect(input.passed, "\(input)")
        // A parameter of every kind of layer (all 11k take 10 s); a larger step, since the
        // function sums 32 outputs of a deep Float32 network (rounding noise ≈ ε·|f|/h).
        let checked = [
            "embedding.dense1.weight", "input.weight", "down.0.0.conv1.weight", "down.0.downsample.bias",
            "down.1.0.attention.qkv.weight", "middle.0.embedding.weight", "middle.attention.norm.weight",
            "up.1.0.norm1.weight", "up.1.upsample.weight", "up.0.1.skip.weight", "norm.bias", "output.weight",
        ].map { name in model.parameters.names.firstIndex(of: name)! }
        let parameters = checkGradients(
            of: { inputs in
                var copy = model
                for (k, tensor) in zip(checked, inputs) { copy.parameters.tensors[k] = tensor }
                return copy(x, c)
            }, at: checked.map { model.parameters.tensors[$0] }, step: 3e-3, absoluteTolerance: 2e-3,
            relativeTolerance: 2e-2)
        #expect(parameters.passed, "\(parameters)")
    }

    @Test func inputJacobianDifferentiatesThroughParameters() throws {
        // What sliced score matching needs: ∇_θ of vᵀ∇ₓ(vᵀF), through convolutions, GroupNorm,
        // attention and resampling.
        let model = Self.activated(try Self.model())
        let x = normalTensor([2, 1, 4, 4], seed: 5)
        let v = normalTensor([2, 1, 4, 4], seed: 6)
        let c = condition(count: 2, sigma: 0.3)
        let checked = ["input.weight", "down.1.0.conv1.weight", "middle.attention.qkv.bias", "up.1.0.norm2.weight"]
            .map { name in model.parameters.names.firstIndex(of: name)! }
        let result = checkGradients(
            of: { inputs in
                var copy = model
                for (k, tensor) in zip(checked, inputs) { copy.parameters.tensors[k] = tensor }
                let input = x.tracked()
                let vf = (v * copy(input, c)).sum()
                let jv = gradients(of: vf, wrt: [input], createGraph: true)[0]
                return (v * jv).sum()
            }, at: checked.map { model.parameters.tensors[$0] }, step: 3e-3, absoluteTolerance: 2e-3,
            relativeTolerance: 3e-2)
        #expect(result.passed, "\(result)")
    }

    @Test func rejectsInvalidConfigurations() throws {
        var bad = UNetArchitecture.Configuration()
        bad.groupCount = 5
        #expect(throws: ConfigurationError.self) { try bad.validate() }
        bad = UNetArchitecture.Configuration()
        bad.channelMultipliers = []
        #expect(throws: ConfigurationError.self) { try bad.validate() }
        bad = UNetArchitecture.Configuration()
        bad.headCount = 3
        #expect(throws: ConfigurationError.self) { try bad.validate() }
    }
}
