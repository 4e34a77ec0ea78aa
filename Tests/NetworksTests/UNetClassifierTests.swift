import ScoreKitCore
import ScoreKitNetworks
import Testing

@Suite struct UNetClassifierTests {
    /// The tiny U-Net of `UNetTests.tiny` as a classifier.
    static func model(classCount: Int = 3) throws -> any TrainableModel {
        let settings: ConfigurationValue = [
            "kind": "unet-classifier", "baseChannels": 4, "channelMultipliers": [1, 2], "blocksPerLevel": 1,
            "attentionResolutions": [2], "groupCount": 2, "headCount": 2, "embeddingWidth": 8,
        ]
        let architecture = try UNetTests.registry().make(.network, from: settings)
        #expect(architecture is any ClassifierArchitecture)
        return architecture.makeModel(sampleShape: [1, 4, 4], classCount: classCount, seed: 7)
    }

    @Test("K logits per image from the encoder alone: no up path, a head of K outputs; rows independent")
    func logits() throws {
        let model = try Self.model()
        let names = model.parameters.names
        #expect(names.contains { $0.hasPrefix("middle.1.") } && names.contains { $0.hasPrefix("down.1.") })
        #expect(!names.contains { $0.hasPrefix("up.") } && !names.contains("output.weight"))
        #expect(model.parameters["head.weight"]?.shape == [3, 8])
        var stream = RandomStream(seed: 1, stream: 0)
        let x = Tensor(shape: [3, 16]) { stream.fillNormal($0) }
        let condition = NoiseCondition(
            times: [0.2, 0.5, 0.9],
            marginals: [0.2, 0.5, 0.9].map {
                Marginal(signalScale: 1 - $0, noiseScale: $0, signalScaleDerivative: -1, noiseScaleDerivative: 1)
            })
        let z = model(x, condition)
        #expect(z.shape == [3, 3])
        let alone = model(x.gathering(rows: [1]), condition.rows(1..<2))
        for k in 0..<3 { #expect(abs(alone.scalars[k] - z.scalars[3 + k]) < 1e-5) }
    }

    @Test("the mlp-classifier gives K logits from rows of d values")
    func mlpLogits() throws {
        let architecture = try UNetTests.registry().make(
            .network, from: ["kind": "mlp-classifier", "hiddenWidths": [8], "embeddingWidth": 4])
        #expect(architecture is any ClassifierArchitecture)
        let model = architecture.makeModel(sampleShape: [2], classCount: 4, seed: 1)
        let z = model(
            Tensor.zeros([5, 2]),
            NoiseCondition(
                count: 5, time: 0.5,
                marginal: Marginal(
                    signalScale: 0.5, noiseScale: 0.5, signalScaleDerivative: 0, noiseScaleDerivative: 0)))
        #expect(z.shape == [5, 4])
    }
}
