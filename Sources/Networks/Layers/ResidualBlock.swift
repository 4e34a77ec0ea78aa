public import ScoreKitCore

/// A pre-activation residual block for vectors, conditioned on an embedding: DDPM's `ResnetBlock`
/// with the convolutions replaced by dense layers.
///
/// ```
/// u = W₁·act(norm₁(h)) + b₁ + W_e·act(e) + b_e        e: the noise (and label) embedding
/// h ← h + W₂·act(norm₂(u)) + b₂
/// ```
/// Source: Ho et al. (2020), `ResnetBlock` of the DDPM code (diffusion_tf/models/unet.py), as
/// score_sde's `ResnetBlockDDPM`; without dropout. Parameters, in order, under `<name>.`:
/// `norm1` (unless `none`), `linear1`, `embedding`, `norm2` (unless `none`), `linear2`. With
/// `outputInitialization: zero` the block starts as the identity (DDPM's `scale=1e-10` on the
/// last layer).
public struct ResidualBlock: Sendable, Equatable {
    /// The parameter name prefix, such as `blocks.0`.
    public let name: String
    /// The width of h (and of u).
    public let width: Int
    /// The width of the embedding e.
    public let embeddingWidth: Int
    public let activation: Activation
    let norm1: FeatureNormalization
    let linear1: Linear
    let embedding: Linear
    let norm2: FeatureNormalization
    let linear2: Linear

    public init(
        name: String, width: Int, embeddingWidth: Int, normalization: Normalization, groupCount: Int,
        activation: Activation
    ) {
        self.name = name
        self.width = width
        self.embeddingWidth = embeddingWidth
        self.activation = activation
        norm1 = FeatureNormalization(normalization, name: "\(name).norm1", featureCount: width, groupCount: groupCount)
        linear1 = Linear(name: "\(name).linear1", inputCount: width, outputCount: width)
        embedding = Linear(name: "\(name).embedding", inputCount: embeddingWidth, outputCount: width)
        norm2 = FeatureNormalization(normalization, name: "\(name).norm2", featureCount: width, groupCount: groupCount)
        linear2 = Linear(name: "\(name).linear2", inputCount: width, outputCount: width)
    }

    /// The number of tensors the block keeps in the `ParameterSet`.
    public var parameterCount: Int { norm1.parameterCount + norm2.parameterCount + 6 }

    /// Fresh parameters: `initialization` for `linear1` and `embedding`, `outputInitialization` for `linear2`.
    public func initialParameters(
        stream: inout RandomStream, initialization: Initialization, outputInitialization: Initialization
    ) -> [(String, Tensor)] {
        var entries = norm1.initialParameters()
        entries += linear1.initialParameters(stream: &stream, initialization: initialization)
        entries += embedding.initialParameters(stream: &stream, initialization: initialization)
        entries += norm2.initialParameters()
        entries += linear2.initialParameters(stream: &stream, initialization: outputInitialization)
        return entries
    }

    /// h + W₂·act(norm₂(u)) + b₂ for `h` [N, width] and the embedding `e` [N, embeddingWidth],
    /// with the block's parameters from `parameters.tensors[index…]`.
    public func callAsFunction(_ h: Tensor, embedding e: Tensor, _ parameters: ParameterSet, at index: Int) -> Tensor {
        var i = index
        var u = linear1(activation(norm1(h, parameters, at: i)), parameters, at: i + norm1.parameterCount)
        i += norm1.parameterCount + 2
        u = u + embedding(activation(e), parameters, at: i)
        i += 2
        let r = linear2(activation(norm2(u, parameters, at: i)), parameters, at: i + norm2.parameterCount)
        return h + r
    }
}
