public import ScoreKitCore

/// The registered form of `NoiseConditionalMLP`: its configuration, and a model per data shape.
public struct NoiseConditionalMLPArchitecture: NetworkArchitecture {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// Widths of the hidden layers (the seed: three of 256).
        public var hiddenWidths = [256, 256, 256]
        /// Width of the noise embedding MLP (the seed: 32).
        public var embeddingWidth = 32
        /// What the embedding sees: `logNoiseLevel` (log σ, NCSN) or `time` (t).
        public var conditioning = NoiseConditionalMLP.ConditioningInput.logNoiseLevel
        /// Start the output layer at zero (the model's first output is 0 everywhere).
        public var zeroOutput = false

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard !hiddenWidths.isEmpty, hiddenWidths.allSatisfy({ $0 > 0 }) else {
                throw .outOfRange(
                    key: "hiddenWidths", value: "\(hiddenWidths)", expected: "a non-empty list of positive widths")
            }
            guard embeddingWidth > 0 else {
                throw .outOfRange(key: "embeddingWidth", value: "\(embeddingWidth)", expected: "an integer > 0")
            }
        }
    }

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// The MLP for rows of `sampleShape.reduce(1, *)` values: an image [C, H, W] is read flat.
    public func makeModel(sampleShape: [Int], classCount: Int, seed: UInt64) -> any TrainableModel {
        NoiseConditionalMLP(
            dimension: sampleShape.reduce(1, *), embeddingWidth: configuration.embeddingWidth,
            hiddenWidths: configuration.hiddenWidths, conditioning: configuration.conditioning,
            zeroOutput: configuration.zeroOutput, classCount: classCount, seed: seed)
    }
}

extension NoiseConditionalMLPArchitecture: RegisteredComponent {
    public static let id: ComponentID = "mlp"
    public static let summary = "The seed's noise-conditional MLP: embedding of log σ or t, concatenated with x"
}
