public import ScoreKitCore

/// DDPM's residual block for images: two 3×3 convolutions with GroupNorm and SiLU, and a
/// projection of the (already activated) noise embedding added between them.
///
/// ```
/// u = conv₁(SiLU(GN₁(x))) + (W_e·a + b_e)[:, :, None, None]        a = SiLU(e)
/// y = skip(x) + conv₂(SiLU(GN₂(u)))                                 skip = 1×1 conv when C_in ≠ C_out
/// ```
/// Source: `ResnetBlock` of the DDPM code (Ho et al. 2020, diffusion_tf/models/unet.py), without
/// dropout; conv₂ starts at zero (DDPM's `init_scale=0`), so the block starts as `skip`.
/// Parameters, in order, under `<name>.`: `norm1`, `conv1`, `embedding`, `norm2`, `conv2`, and
/// `skip` when the channel counts differ.
public struct ImageResidualBlock: Sendable, Equatable {
    public let name: String
    public let inputChannels: Int
    public let outputChannels: Int
    let norm1: GroupNorm
    let conv1: Convolution2D
    let embedding: Linear
    let norm2: GroupNorm
    let conv2: Convolution2D
    let skip: Convolution2D?

    /// - Precondition: `groupCount` divides both channel counts.
    public init(name: String, inputChannels: Int, outputChannels: Int, embeddingWidth: Int, groupCount: Int) {
        self.name = name
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        norm1 = GroupNorm(name: "\(name).norm1", groupCount: groupCount, channelCount: inputChannels)
        conv1 = Convolution2D(
            name: "\(name).conv1", inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 3)
        embedding = Linear(name: "\(name).embedding", inputCount: embeddingWidth, outputCount: outputChannels)
        norm2 = GroupNorm(name: "\(name).norm2", groupCount: groupCount, channelCount: outputChannels)
        conv2 = Convolution2D(
            name: "\(name).conv2", inputChannels: outputChannels, outputChannels: outputChannels, kernelSize: 3)
        skip =
            inputChannels == outputChannels
            ? nil
            : Convolution2D(
                name: "\(name).skip", inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 1)
    }

    /// The number of tensors the block keeps in the `ParameterSet`.
    public var parameterCount: Int { skip == nil ? 10 : 12 }

    /// Fresh parameters; conv₂ is zero.
    public func initialParameters(stream: inout RandomStream, initialization: Initialization) -> [(String, Tensor)] {
        var entries = norm1.initialParameters()
        entries += conv1.initialParameters(stream: &stream, initialization: initialization)
        entries += embedding.initialParameters(stream: &stream, initialization: initialization)
        entries += norm2.initialParameters()
        entries += conv2.initialParameters(stream: &stream, initialization: .zero)
        if let skip { entries += skip.initialParameters(stream: &stream, initialization: initialization) }
        return entries
    }

    /// The block on x [N, C_in, H, W] with the activated embedding a [N, w].
    public func callAsFunction(
        _ x: Tensor, activatedEmbedding a: Tensor, _ parameters: ParameterSet, at index: Int
    ) -> Tensor {
        let n = x.shape[0]
        var u = conv1(silu(norm1(x, parameters, at: index)), parameters, at: index + 2)
        u = u + embedding(a, parameters, at: index + 4).reshaped([n, outputChannels, 1, 1])
        let r = conv2(silu(norm2(u, parameters, at: index + 6)), parameters, at: index + 8)
        let shortcut = skip.map { $0(x, parameters, at: index + 10) } ?? x
        return shortcut + r
    }
}
