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
            guard hiddenWidths.count <= SizeCeiling.layers else {
                throw .outOfRange(
                    key: "hiddenWidths", value: "a list of \(hiddenWidths.count) widths",
                    expected: "at most 1,000 layers (the ceiling for layer counts)")
            }
            for (index, width) in hiddenWidths.enumerated() {
                try requireCount(width, key: "hiddenWidths.\(index)", atMost: SizeCeiling.width, of: "widths")
            }
            try requireCount(embeddingWidth, key: "embeddingWidth", atMost: SizeCeiling.width, of: "widths")
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

extension NoiseConditionalMLPArchitecture {
    /// The embedding's two layers, each hidden layer (its input widened by the embedding for
    /// the first), the output layer and the label table; activations count each layer's
    /// output four times (pre-activation, activation and their gradients).
    public func footprint(sampleShape: [Int], classCount: Int) -> NetworkFootprint? {
        let dimension = Double(sampleShape.reduce(1, *))
        let embedding = Double(configuration.embeddingWidth)
        let labels = classCount > 0 ? Double(classCount + 1) * embedding : 0
        var parameters = 2 * embedding + embedding * (embedding + 1) + labels
        var activations = 4 * (2 * embedding + dimension)
        var input = dimension + embedding
        for width in configuration.hiddenWidths.map(Double.init) {
            parameters += (input + 1) * width
            activations += 4 * width
            input = width
        }
        parameters += (input + 1) * dimension
        return NetworkFootprint(parameterCount: parameters, activationsPerRow: activations)
    }
}
