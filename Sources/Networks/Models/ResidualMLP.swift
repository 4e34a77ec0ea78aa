public import ScoreKitCore

/// A residual MLP score network for vector data, conditioned on the noise state and optionally
/// on class labels.
///
/// ```
/// e  = embed(c) [+ E_label[y]]                       c: log σ̃ or t; y: label or ∅
/// h₀ = W_in·x + b_in                                  x flattened to [N, d]
/// h_k = ResidualBlock_k(h_{k−1}, e)                   k = 1 … B
/// F(x, c, y) = W_out·act(norm(h_B)) + b_out
/// ```
/// The shape of DDPM's and NCSN++'s score networks with the convolutions replaced by dense
/// layers: a noise embedding (`NoiseEmbedding`: the seed's MLP, a learned table per noise level,
/// sinusoidal or Gaussian Fourier features), pre-activation residual blocks that each add a
/// projection of the embedding (`ResidualBlock`), and a final normalisation and projection.
/// Parameter paths, in order: `embedding.…`, `labelEmbedding.weight` (when `classCount > 0`),
/// `input.weight`/`.bias`, `blocks.<k>.…`, `norm.…` (unless `none`), `output.weight`/`.bias`.
/// Samples of any shape are flattened, so it is meant for small d; the output has x's shape.
public struct ResidualMLP: TrainableModel {
    public var parameters: ParameterSet
    /// d, the number of scalars in a sample.
    public let dimension: Int
    /// The width of h.
    public let width: Int
    /// K, the number of classes (0: unconditional).
    public let classCount: Int
    public let activation: Activation
    public let embedding: NoiseEmbedding
    let labels: LabelEmbedding?
    let input: Linear
    let blocks: [ResidualBlock]
    let norm: FeatureNormalization
    let output: Linear

    /// The hyperparameters of a `ResidualMLP`.
    public struct Shape: Sendable, Equatable {
        public var width = 128
        public var blockCount = 4
        public var normalization = Normalization.layer
        /// G for `group` normalisation.
        public var groupCount = 8
        public var activation = Activation.silu
        /// For every layer but `blocks.*.linear2` and `output`.
        public var initialization = Initialization.pytorchDefault
        /// For `blocks.*.linear2` and `output`; `zero` starts every block as the identity and the output at 0.
        public var outputInitialization = Initialization.pytorchDefault

        public init() {}
    }

    /// A network with fresh parameters from `seed` (stream 0; the Fourier frequencies, stream 1).
    public init(dimension: Int, shape: Shape, embedding: NoiseEmbedding, classCount: Int = 0, seed: UInt64) {
        precondition(dimension > 0 && shape.width > 0 && shape.blockCount >= 0, "invalid ResidualMLP sizes")
        precondition(classCount >= 0, "classCount must be ≥ 0, got \(classCount)")
        self.dimension = dimension
        self.width = shape.width
        self.classCount = classCount
        self.activation = shape.activation
        self.embedding = embedding
        labels =
            classCount > 0
            ? LabelEmbedding(name: "labelEmbedding", classCount: classCount, width: embedding.width) : nil
        input = Linear(name: "input", inputCount: dimension, outputCount: shape.width)
        blocks = (0..<shape.blockCount).map {
            ResidualBlock(
                name: "blocks.\($0)", width: shape.width, embeddingWidth: embedding.width,
                normalization: shape.normalization, groupCount: shape.groupCount, activation: shape.activation)
        }
        norm = FeatureNormalization(
            shape.normalization, name: "norm", featureCount: shape.width, groupCount: shape.groupCount)
        output = Linear(name: "output", inputCount: shape.width, outputCount: dimension)

        var stream = RandomStream(seed: seed, stream: 0)
        var entries = embedding.initialParameters(stream: &stream, initialization: shape.initialization)
        if let labels { entries += labels.initialParameters(stream: &stream) }
        entries += input.initialParameters(stream: &stream, initialization: shape.initialization)
        for block in blocks {
            entries += block.initialParameters(
                stream: &stream, initialization: shape.initialization, outputInitialization: shape.outputInitialization)
        }
        entries += norm.initialParameters()
        entries += output.initialParameters(stream: &stream, initialization: shape.outputInitialization)
        parameters = ParameterSet(entries)
    }

    public func callAsFunction(_ x: Tensor, _ condition: NoiseCondition) -> Tensor {
        let n = x.shape[0]
        precondition(
            x.scalarCount == n * dimension, "the residual MLP takes samples of \(dimension) scalars, got \(x.shape)")
        var i = 0
        var e = embedding(condition, parameters, at: i)
        i += embedding.parameterCount
        if let labels {
            e = e + labels(condition.labels, count: n, parameters, at: i)
            i += 1
        }
        var h = input(x.reshaped([n, dimension]), parameters, at: i)
        i += 2
        for block in blocks {
            h = block(h, embedding: e, parameters, at: i)
            i += block.parameterCount
        }
        h = activation(norm(h, parameters, at: i))
        i += norm.parameterCount
        return output(h, parameters, at: i).reshaped(x.shape)
    }
}
