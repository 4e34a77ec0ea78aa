public import ScoreKitCore

/// Multi-head self-attention over the positions of an image, with a residual connection: DDPM's
/// `AttnBlock` (Ho et al. 2020), used at low resolutions.
///
/// ```
/// q, k, v = split(W_qkv ⋆ GN(x) + b_qkv)          1×1 convolution to 3C channels, H heads of C/H
/// y = x + W_o ⋆ attention(q, k, v) + b_o           over the L = H·W positions of each sample
/// ```
/// Attention is `Tensor.attention` (softmax(qᵀk/√d)), so memory grows as L² per head; W_o starts
/// at zero, so the block starts as the identity. Parameters, in order, under `<name>.`: `norm`,
/// `qkv` ([3C, C, 1, 1], the q, k, v channels in that order, each split into heads), `output`.
public struct SpatialSelfAttention: Sendable, Equatable {
    public let name: String
    public let channels: Int
    public let headCount: Int
    let norm: GroupNorm
    let qkv: Convolution2D
    let output: Convolution2D

    /// - Precondition: `headCount` and `groupCount` divide `channels`.
    public init(name: String, channels: Int, headCount: Int, groupCount: Int) {
        precondition(
            headCount > 0 && channels % headCount == 0,
            "SpatialSelfAttention '\(name)': \(headCount) heads must divide \(channels) channels")
        self.name = name
        self.channels = channels
        self.headCount = headCount
        norm = GroupNorm(name: "\(name).norm", groupCount: groupCount, channelCount: channels)
        qkv = Convolution2D(name: "\(name).qkv", inputChannels: channels, outputChannels: 3 * channels, kernelSize: 1)
        output = Convolution2D(name: "\(name).output", inputChannels: channels, outputChannels: channels, kernelSize: 1)
    }

    /// The number of tensors the block keeps in the `ParameterSet`.
    public var parameterCount: Int { 6 }

    /// Fresh parameters; the output projection is zero.
    public func initialParameters(stream: inout RandomStream, initialization: Initialization) -> [(String, Tensor)] {
        norm.initialParameters() + qkv.initialParameters(stream: &stream, initialization: initialization)
            + output.initialParameters(stream: &stream, initialization: .zero)
    }

    /// The block on x [N, C, H, W].
    public func callAsFunction(_ x: Tensor, _ parameters: ParameterSet, at index: Int) -> Tensor {
        let (n, h, w) = (x.shape[0], x.shape[2], x.shape[3])
        let positions = h * w
        let projected = qkv(norm(x, parameters, at: index), parameters, at: index + 2)
            .reshaped([n, 3, channels * positions])
        func part(_ k: Int) -> Tensor {
            projected.slice(alongAxis: 1, k..<(k + 1)).reshaped([n * headCount, channels / headCount, positions])
        }
        let y = Tensor.attention(query: part(0), key: part(1), value: part(2)).reshaped(x.shape)
        return x + output(y, parameters, at: index + 4)
    }
}
