public import ScoreKitCore

/// The registered U-Net classifier (`UNetClassifier`):
/// `network: { kind: unet-classifier, baseChannels: 32, channelMultipliers: [1, 2], attentionResolutions: [4] }`.
///
/// The keys are the `unet` network's (`UNetArchitecture.Configuration`), read for its encoder;
/// `classCount` comes from the labelled data. A noise-conditional classifier for classifier
/// guidance of image runs, trained by a `ClassificationLoss` (`classifier-cross-entropy`).
public struct UNetClassifierArchitecture: ClassifierArchitecture, ImageNetworkArchitecture {
    public typealias Configuration = UNetArchitecture.Configuration

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// A `UNetClassifier` of `classCount` logits for images [C, H, W], [H, W] or a square [d].
    /// - Precondition: as `UNetArchitecture.makeModel`, and `classCount ≥ 2`.
    public func makeModel(sampleShape: [Int], classCount: Int, seed: UInt64) -> any TrainableModel {
        guard let images = UNetArchitecture.imageShape(of: sampleShape) else {
            preconditionFailure(
                "the U-Net classifier takes images [C, H, W], [H, W] or a square [H·W], got \(sampleShape)")
        }
        return UNetClassifier(
            sampleShape: images, shape: configuration.shape, embedding: configuration.embedding(seed: seed),
            classCount: classCount, seed: seed)
    }

    /// As the `unet` network's.
    public func problem(withImageShape shape: [Int]) -> String? {
        UNetArchitecture(configuration: configuration).problem(withImageShape: shape)
    }

    /// The U-Net's footprint bounds its encoder's from above.
    public func footprint(sampleShape: [Int], classCount: Int) -> NetworkFootprint? {
        UNetArchitecture(configuration: configuration).footprint(sampleShape: sampleShape, classCount: 0)
    }
}

extension UNetClassifierArchitecture: RegisteredComponent {
    public static let id: ComponentID = "unet-classifier"
    public static let summary =
        "noise-conditional image classifier for classifier guidance: the U-Net's encoder, pooled, K logits"
}

/// The registered MLP classifier: `network: { kind: mlp-classifier, hiddenWidths: [128, 128] }`.
///
/// The keys are the `mlp` network's (`NoiseConditionalMLPArchitecture.Configuration`); the model is
/// a `NoiseConditionalMLP` with K outputs (the logits) and no label input. For vector data, such
/// as a labelled 2-D mixture; trained by a `ClassificationLoss` (`classifier-cross-entropy`).
public struct MLPClassifierArchitecture: ClassifierArchitecture {
    public typealias Configuration = NoiseConditionalMLPArchitecture.Configuration

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// The MLP for rows of `sampleShape.reduce(1, *)` values, with `classCount` outputs.
    public func makeModel(sampleShape: [Int], classCount: Int, seed: UInt64) -> any TrainableModel {
        precondition(classCount >= 2, "a classifier needs 2 or more classes, got \(classCount)")
        return NoiseConditionalMLP(
            dimension: sampleShape.reduce(1, *), embeddingWidth: configuration.embeddingWidth,
            hiddenWidths: configuration.hiddenWidths, conditioning: configuration.conditioning,
            zeroOutput: configuration.zeroOutput, classCount: 0, outputCount: classCount, seed: seed)
    }

    /// The `mlp` network's, its output K wide instead of d.
    public func footprint(sampleShape: [Int], classCount: Int) -> NetworkFootprint? {
        NoiseConditionalMLPArchitecture(configuration: configuration).footprint(
            sampleShape: sampleShape, classCount: 0)
    }
}

extension MLPClassifierArchitecture: RegisteredComponent {
    public static let id: ComponentID = "mlp-classifier"
    public static let summary =
        "noise-conditional MLP classifier for classifier guidance: embedding of log σ or t, K logits"
}
