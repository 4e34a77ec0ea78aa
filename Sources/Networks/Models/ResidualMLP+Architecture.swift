public import ScoreKitCore

/// The registered form of `ResidualMLP`: `network: { kind: residual-mlp, width: 256, blockCount: 4 }`.
public struct ResidualMLPArchitecture: NetworkArchitecture {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// The width of the hidden state h.
        public var width = 128
        /// B, the number of residual blocks.
        public var blockCount = 4
        /// The noise embedding: `mlp`, `levelTable`, `sinusoidal` or `fourier`.
        public var embedding = NoiseEmbedding.Kind.sinusoidal
        /// w, the width of the embedding.
        public var embeddingWidth = 64
        /// What the embedding sees: `logNoiseLevel` (log σ/α) or `time` (t).
        public var conditioning = NoiseConditionalMLP.ConditioningInput.logNoiseLevel
        /// s of `sinusoidal`: c is multiplied by it (1000 for t ∈ [0, 1] gives DDPM's step range).
        public var sinusoidalScale = 1000.0
        /// s of `fourier`: the standard deviation of the fixed frequencies (score_sde's 16).
        public var fourierScale = 16.0
        /// L of `levelTable`: one row per level of σ_max … σ_min (match the loss's levels).
        public var levelCount = 10
        /// σ_max of `levelTable`.
        public var sigmaMax = 10.0
        /// σ_min of `levelTable`.
        public var sigmaMin = 0.01
        /// `none`, `layer` or `group`.
        public var normalization = Normalization.layer
        /// G of `group` normalisation; must divide `width`.
        public var groupCount = 8
        /// `silu`, `gelu`, `softplus` or `tanh`.
        public var activation = Activation.silu
        /// The initialisation of the hidden layers.
        public var initialization = Initialization.pytorchDefault
        /// The initialisation of each block's last layer and of the output layer (`zero`: identity blocks, output 0).
        public var outputInitialization = Initialization.pytorchDefault

        public init() {}

        public func validate() throws(ConfigurationError) {
            try requireCount(width, key: "width", atMost: SizeCeiling.width, of: "widths")
            try requireCountOrZero(blockCount, key: "blockCount", atMost: SizeCeiling.layers, of: "layer counts")
            try requireCount(embeddingWidth, key: "embeddingWidth", atMost: SizeCeiling.width, of: "widths")
            let even = embedding == .sinusoidal || embedding == .fourier
            guard embeddingWidth > 0, !even || embeddingWidth % 2 == 0, embedding != .sinusoidal || embeddingWidth >= 4
            else {
                throw .outOfRange(
                    key: "embeddingWidth", value: "\(embeddingWidth)",
                    expected: even ? "an even integer ≥ 4 for a \(embedding.rawValue) embedding" : "an integer > 0")
            }
            guard fourierScale > 0 else {
                throw .outOfRange(key: "fourierScale", value: "\(fourierScale)", expected: "a number > 0")
            }
            guard sinusoidalScale > 0 else {
                throw .outOfRange(key: "sinusoidalScale", value: "\(sinusoidalScale)", expected: "a number > 0")
            }
            try requireCount(levelCount, key: "levelCount", atMost: SizeCeiling.levels, of: "noise levels")
            guard sigmaMin > 0 else {
                throw .outOfRange(key: "sigmaMin", value: "\(sigmaMin)", expected: "a number > 0")
            }
            guard sigmaMax > sigmaMin else {
                throw .outOfRange(key: "sigmaMax", value: "\(sigmaMax)", expected: "a number > sigmaMin (\(sigmaMin))")
            }
            try requireCount(groupCount, key: "groupCount", atMost: SizeCeiling.width, of: "widths")
            guard normalization != .group || width % groupCount == 0 else {
                throw .outOfRange(
                    key: "groupCount", value: "\(groupCount)",
                    expected: "a divisor of width (\(width)) for group normalization")
            }
        }
    }

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public func makeModel(sampleShape: [Int], classCount: Int, seed: UInt64) -> any TrainableModel {
        let c = configuration
        var shape = ResidualMLP.Shape()
        shape.width = c.width
        shape.blockCount = c.blockCount
        shape.normalization = c.normalization
        shape.groupCount = c.groupCount
        shape.activation = c.activation
        shape.initialization = c.initialization
        shape.outputInitialization = c.outputInitialization
        let embedding = NoiseEmbedding(
            name: "embedding", kind: c.embedding, width: c.embeddingWidth, input: c.conditioning,
            activation: c.activation,
            sinusoidalScale: c.sinusoidalScale, fourierScale: c.fourierScale,
            noiseLevels: NoiseEmbedding.geometricLevels(
                count: c.levelCount, sigmaMax: c.sigmaMax, sigmaMin: c.sigmaMin),
            seed: seed)
        return ResidualMLP(
            dimension: sampleShape.reduce(1, *), shape: shape, embedding: embedding, classCount: classCount, seed: seed)
    }
}

extension ResidualMLPArchitecture: RegisteredComponent {
    public static let id: ComponentID = "residual-mlp"
    public static let summary =
        "Residual MLP: noise embedding (mlp, level table, sinusoidal, Fourier), pre-norm blocks, labels"
}

extension ResidualMLPArchitecture {
    /// The input and output layers, per block two width × width layers and the embedding's
    /// projection, the embedding and label table; activations count each block's layers a few
    /// times over (norm, activation, and their gradients).
    public func footprint(sampleShape: [Int], classCount: Int) -> NetworkFootprint? {
        let c = configuration
        let (dimension, width, embedding) = (
            Double(sampleShape.reduce(1, *)), Double(c.width), Double(c.embeddingWidth)
        )
        let blocks = Double(c.blockCount)
        let parameters =
            2 * (dimension + 1) * width + blocks * (2 * (width + 1) * width + (embedding + 3) * width)
            + 2 * embedding * (embedding + 1) + Double(classCount + 1) * embedding
        let activations = 4 * (dimension + 2 * embedding) + blocks * 12 * width + 4 * width
        return NetworkFootprint(parameterCount: parameters, activationsPerRow: activations)
    }
}
