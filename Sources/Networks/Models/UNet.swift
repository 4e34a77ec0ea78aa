public import ScoreKitCore

/// A time-conditioned U-Net score network for images [N, C, H, W] (DDPM's architecture).
///
/// ```
/// e = embed(c) [+ E_label[y]],  a = SiLU(e)                    c: log σ̃ or t; y: label or ∅
/// h = conv_in(x)                                                3×3, C → base
/// down, level ℓ = 0 … L−1:  B × (ResBlock(·, a) [→ attention])  → 3×3 conv, stride 2 (not at the last level)
/// middle:                   ResBlock → attention → ResBlock
/// up, level ℓ = L−1 … 0:    (B + 1) × (concat skip → ResBlock [→ attention]) → nearest ×2 → 3×3 conv (not at ℓ = 0)
/// F(x, c, y) = conv_out(SiLU(GN(h)))                             3×3, base → C, zero at the start
/// ```
/// Level ℓ has base·m_ℓ channels; attention runs at the levels whose image side is in
/// `attentionResolutions`. Every residual block adds a projection of the embedding
/// (`ImageResidualBlock`); the skip connections are the outputs of every down-path stage,
/// as in Ho et al. (2020), diffusion_tf/models/unet.py, without dropout. The output layer is
/// zero, so the first prediction is 0.
///
/// Parameter paths, in order: `embedding.…`, `labelEmbedding.weight` (when `classCount > 0`),
/// `input`, `down.<ℓ>.<b>.…` (blocks; their attention `down.<ℓ>.<b>.attention.…`),
/// `down.<ℓ>.downsample`, `middle.0`, `middle.attention`, `middle.1`, `up.<ℓ>.<b>.…`,
/// `up.<ℓ>.upsample`, `norm`, `output`. Samples stay independent (GroupNorm and attention work
/// within a sample). H and W must be divisible by 2^(L−1).
public struct UNet: TrainableModel {
    public var parameters: ParameterSet
    /// The sample shape [C, H, W].
    public let sampleShape: [Int]
    /// K, the number of classes (0: unconditional).
    public let classCount: Int
    public let embedding: NoiseEmbedding
    let labels: LabelEmbedding?
    let input: Convolution2D
    let stages: [Stage]
    let norm: GroupNorm
    let output: Convolution2D

    /// The hyperparameters of a `UNet`.
    public struct Shape: Sendable, Equatable {
        /// The channels of level 0.
        public var baseChannels = 32
        /// m_ℓ: level ℓ has baseChannels·m_ℓ channels; the count is the number of levels L.
        public var channelMultipliers = [1, 2, 2]
        /// B, residual blocks per level on the way down (B + 1 on the way up).
        public var blocksPerLevel = 2
        /// The image sides (H at that level) where attention follows each residual block.
        public var attentionResolutions = [4]
        /// Attention heads; must divide every level's channel count.
        public var headCount = 1
        /// G of every GroupNorm; must divide baseChannels.
        public var groupCount = 8
        /// For every layer but the zero-initialised ones.
        public var initialization = Initialization.pytorchDefault

        public init() {}
    }

    /// One step of the network, in order.
    enum Stage: Sendable, Equatable {
        /// A residual block; `concatenatesSkip` on the way up.
        case residual(ImageResidualBlock, pushesSkip: Bool, concatenatesSkip: Bool)
        /// Attention after the preceding block; `pushesSkip` when it ends a down-path stage.
        case attention(SpatialSelfAttention, pushesSkip: Bool)
        case downsample(Convolution2D)
        case upsample(Convolution2D)

        var parameterCount: Int {
            switch self {
            case .residual(let block, _, _): block.parameterCount
            case .attention(let block, _): block.parameterCount
            case .downsample, .upsample: 2
            }
        }

        /// The stage's fresh parameters, drawn from `stream`.
        func initialParameters(stream: inout RandomStream, initialization: Initialization) -> [(String, Tensor)] {
            switch self {
            case .residual(let block, _, _): block.initialParameters(stream: &stream, initialization: initialization)
            case .attention(let block, _): block.initialParameters(stream: &stream, initialization: initialization)
            case .downsample(let conv), .upsample(let conv):
                conv.initialParameters(stream: &stream, initialization: initialization)
            }
        }
    }

    /// A network with fresh parameters from `seed` (stream 0; the Fourier frequencies, stream 1).
    ///
    /// - Precondition: `sampleShape` is [C, H, W] with H and W divisible by 2^(L−1); `groupCount`
    ///   divides `baseChannels`; `headCount` divides every level's channels.
    public init(sampleShape: [Int], shape: Shape, embedding: NoiseEmbedding, classCount: Int = 0, seed: UInt64) {
        precondition(sampleShape.count == 3, "the U-Net takes samples [C, H, W], got \(sampleShape)")
        let levels = shape.channelMultipliers.count
        let factor = 1 << Swift.max(levels - 1, 0)
        precondition(
            levels > 0 && shape.blocksPerLevel > 0 && shape.baseChannels > 0
                && shape.channelMultipliers.allSatisfy { $0 > 0 },
            "invalid U-Net sizes: base \(shape.baseChannels), multipliers \(shape.channelMultipliers)")
        precondition(
            sampleShape[1] % factor == 0 && sampleShape[2] % factor == 0,
            "a U-Net of \(levels) levels needs H and W divisible by \(factor), got \(sampleShape)")
        precondition(classCount >= 0, "classCount must be ≥ 0, got \(classCount)")
        self.sampleShape = sampleShape
        self.classCount = classCount
        self.embedding = embedding
        labels =
            classCount > 0
            ? LabelEmbedding(name: "labelEmbedding", classCount: classCount, width: embedding.width) : nil
        let (base, groups, width) = (shape.baseChannels, shape.groupCount, embedding.width)
        input = Convolution2D(name: "input", inputChannels: sampleShape[0], outputChannels: base, kernelSize: 3)

        func block(_ name: String, _ cin: Int, _ cout: Int) -> ImageResidualBlock {
            ImageResidualBlock(
                name: name, inputChannels: cin, outputChannels: cout, embeddingWidth: width, groupCount: groups)
        }
        func attention(_ name: String, _ channels: Int) -> SpatialSelfAttention {
            SpatialSelfAttention(name: name, channels: channels, headCount: shape.headCount, groupCount: groups)
        }
        var stages: [Stage] = []
        var skips = [base]
        var channels = base
        var side = sampleShape[1]
        for (level, multiplier) in shape.channelMultipliers.enumerated() {
            let attends = shape.attentionResolutions.contains(side)
            for b in 0..<shape.blocksPerLevel {
                let name = "down.\(level).\(b)"
                stages.append(
                    .residual(block(name, channels, base * multiplier), pushesSkip: !attends, concatenatesSkip: false))
                channels = base * multiplier
                if attends { stages.append(.attention(attention("\(name).attention", channels), pushesSkip: true)) }
                skips.append(channels)
            }
            if level < levels - 1 {
                stages.append(
                    .downsample(
                        Convolution2D(
                            name: "down.\(level).downsample", inputChannels: channels, outputChannels: channels,
                            kernelSize: 3, stride: 2)))
                skips.append(channels)
                side /= 2
            }
        }
        stages.append(.residual(block("middle.0", channels, channels), pushesSkip: false, concatenatesSkip: false))
        stages.append(.attention(attention("middle.attention", channels), pushesSkip: false))
        stages.append(.residual(block("middle.1", channels, channels), pushesSkip: false, concatenatesSkip: false))
        for (level, multiplier) in shape.channelMultipliers.enumerated().reversed() {
            let attends = shape.attentionResolutions.contains(side)
            for b in 0...shape.blocksPerLevel {
                let name = "up.\(level).\(b)"
                let skip = skips.removeLast()
                stages.append(
                    .residual(
                        block(name, channels + skip, base * multiplier), pushesSkip: false, concatenatesSkip: true))
                channels = base * multiplier
                if attends { stages.append(.attention(attention("\(name).attention", channels), pushesSkip: false)) }
            }
            if level > 0 {
                stages.append(
                    .upsample(
                        Convolution2D(
                            name: "up.\(level).upsample", inputChannels: channels, outputChannels: channels,
                            kernelSize: 3)))
                side *= 2
            }
        }
        self.stages = stages
        norm = GroupNorm(name: "norm", groupCount: groups, channelCount: channels)
        output = Convolution2D(name: "output", inputChannels: channels, outputChannels: sampleShape[0], kernelSize: 3)

        var stream = RandomStream(seed: seed, stream: 0)
        var entries = embedding.initialParameters(stream: &stream, initialization: shape.initialization)
        if let labels { entries += labels.initialParameters(stream: &stream) }
        entries += input.initialParameters(stream: &stream, initialization: shape.initialization)
        for stage in stages {
            entries += stage.initialParameters(stream: &stream, initialization: shape.initialization)
        }
        entries += norm.initialParameters()
        entries += output.initialParameters(stream: &stream, initialization: .zero)
        parameters = ParameterSet(entries)
    }

    public func callAsFunction(_ x: Tensor, _ condition: NoiseCondition) -> Tensor {
        let n = x.shape[0]
        let perSample = sampleShape.reduce(1, *)
        precondition(
            x.scalarCount == n * perSample, "the U-Net takes samples of shape \(sampleShape), got \(x.shape)")
        var i = 0
        var e = embedding(condition, parameters, at: i)
        i += embedding.parameterCount
        if let labels {
            e = e + labels(condition.labels, count: n, parameters, at: i)
            i += 1
        }
        let a = silu(e)
        var h = input(x.reshaped([n] + sampleShape), parameters, at: i)
        i += 2
        var skips = [h]
        for stage in stages {
            switch stage {
            case .residual(let block, let pushes, let concatenates):
                if concatenates { h = Tensor.concatenate([h, skips.removeLast()], alongAxis: 1) }
                h = block(h, activatedEmbedding: a, parameters, at: i)
                if pushes { skips.append(h) }
            case .attention(let block, let pushes):
                h = block(h, parameters, at: i)
                if pushes { skips.append(h) }
            case .downsample(let conv):
                h = conv(h, parameters, at: i)
                skips.append(h)
            case .upsample(let conv):
                h = conv(h.upsampledNearest(factor: 2), parameters, at: i)
            }
            i += stage.parameterCount
        }
        h = silu(norm(h, parameters, at: i))
        return output(h, parameters, at: i + 2).reshaped(x.shape)
    }
}
