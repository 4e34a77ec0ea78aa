public import ScoreKitCore

/// A noise-conditional image classifier: the U-Net's encoder (its down path and middle), pooled,
/// and a linear head of K logits (the classifier of Dhariwal & Nichol 2021, §4, at small size).
///
/// ```
/// e = embed(c),  a = SiLU(e)                                    c: log σ̃ or t (no labels)
/// h = conv_in(x)
/// down, level ℓ = 0 … L−1:  B × (ResBlock(·, a) [→ attention])  → 3×3 conv, stride 2 (not at the last level)
/// middle:                   ResBlock → attention → ResBlock
/// logits = W · mean_{H,W} SiLU(GN(h)) + b                        [N, K]
/// ```
/// The blocks are those of `UNet` with the same `UNet.Shape`, so a recipe's U-Net settings mean
/// the same here. Parameter paths, in order: `embedding.…`, `input`, `down.<ℓ>.<b>.…`,
/// `down.<ℓ>.downsample`, `middle.0`, `middle.attention`, `middle.1`, `norm`, `head`.
/// - Note: the output is `[N, K]`, not shaped like the input (`ClassifierArchitecture`).
public struct UNetClassifier: TrainableModel {
    public var parameters: ParameterSet
    /// The sample shape [C, H, W].
    public let sampleShape: [Int]
    /// K, the number of classes (the logits per sample).
    public let classCount: Int
    public let embedding: NoiseEmbedding
    let input: Convolution2D
    let stages: [UNet.Stage]
    let norm: GroupNorm
    let head: Linear

    /// A classifier with fresh parameters from `seed` (stream 0).
    ///
    /// - Precondition: as `UNet`'s, and `classCount ≥ 2`.
    public init(sampleShape: [Int], shape: UNet.Shape, embedding: NoiseEmbedding, classCount: Int, seed: UInt64) {
        precondition(sampleShape.count == 3, "the U-Net classifier takes samples [C, H, W], got \(sampleShape)")
        precondition(classCount >= 2, "a classifier needs 2 or more classes, got \(classCount)")
        let levels = shape.channelMultipliers.count
        let factor = 1 << Swift.max(levels - 1, 0)
        precondition(
            levels > 0 && shape.blocksPerLevel > 0 && shape.baseChannels > 0
                && sampleShape[1] % factor == 0 && sampleShape[2] % factor == 0,
            "invalid U-Net classifier sizes for \(sampleShape): multipliers \(shape.channelMultipliers)")
        self.sampleShape = sampleShape
        self.classCount = classCount
        self.embedding = embedding
        let (base, groups, width) = (shape.baseChannels, shape.groupCount, embedding.width)
        input = Convolution2D(name: "input", inputChannels: sampleShape[0], outputChannels: base, kernelSize: 3)
        func block(_ name: String, _ cin: Int, _ cout: Int) -> UNet.Stage {
            .residual(
                ImageResidualBlock(
                    name: name, inputChannels: cin, outputChannels: cout, embeddingWidth: width, groupCount: groups),
                pushesSkip: false, concatenatesSkip: false)
        }
        func attention(_ name: String, _ channels: Int) -> UNet.Stage {
            .attention(
                SpatialSelfAttention(name: name, channels: channels, headCount: shape.headCount, groupCount: groups),
                pushesSkip: false)
        }
        var stages: [UNet.Stage] = []
        var channels = base
        var side = sampleShape[1]
        for (level, multiplier) in shape.channelMultipliers.enumerated() {
            let attends = shape.attentionResolutions.contains(side)
            for b in 0..<shape.blocksPerLevel {
                let name = "down.\(level).\(b)"
                stages.append(block(name, channels, base * multiplier))
                channels = base * multiplier
                if attends { stages.append(attention("\(name).attention", channels)) }
            }
            if level < levels - 1 {
                stages.append(
                    .downsample(
                        Convolution2D(
                            name: "down.\(level).downsample", inputChannels: channels, outputChannels: channels,
                            kernelSize: 3, stride: 2)))
                side /= 2
            }
        }
        stages.append(block("middle.0", channels, channels))
        stages.append(attention("middle.attention", channels))
        stages.append(block("middle.1", channels, channels))
        self.stages = stages
        norm = GroupNorm(name: "norm", groupCount: groups, channelCount: channels)
        head = Linear(name: "head", inputCount: channels, outputCount: classCount)

        var stream = RandomStream(seed: seed, stream: 0)
        var entries = embedding.initialParameters(stream: &stream, initialization: shape.initialization)
        entries += input.initialParameters(stream: &stream, initialization: shape.initialization)
        for stage in stages {
            entries += stage.initialParameters(stream: &stream, initialization: shape.initialization)
        }
        entries += norm.initialParameters()
        entries += head.initialParameters(stream: &stream)
        parameters = ParameterSet(entries)
    }

    /// The logits `[N, K]` of a batch `x` of `[N] + sampleShape` (or rows of the same size).
    public func callAsFunction(_ x: Tensor, _ condition: NoiseCondition) -> Tensor {
        let n = x.shape[0]
        precondition(
            x.scalarCount == n * sampleShape.reduce(1, *),
            "the U-Net classifier takes samples of shape \(sampleShape), got \(x.shape)")
        var i = 0
        let a = silu(embedding(condition, parameters, at: i))
        i += embedding.parameterCount
        var h = input(x.reshaped([n] + sampleShape), parameters, at: i)
        i += 2
        for stage in stages {
            switch stage {
            case .residual(let block, _, _): h = block(h, activatedEmbedding: a, parameters, at: i)
            case .attention(let block, _): h = block(h, parameters, at: i)
            case .downsample(let conv), .upsample(let conv): h = conv(h, parameters, at: i)
            }
            i += stage.parameterCount
        }
        h = silu(norm(h, parameters, at: i))
        let (channels, pixels) = (h.shape[1], h.shape[2] * h.shape[3])
        let pooled = h.reshaped([n, channels, pixels]).mean(alongAxis: 2)
        return head(pooled, parameters, at: i + 2)
    }
}
