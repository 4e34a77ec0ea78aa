public import ScoreKitCore

/// The registered form of `UNet`:
/// `network: { kind: unet, baseChannels: 32, channelMultipliers: [1, 2, 2], attentionResolutions: [4] }`.
///
/// Samples are [C, H, W] (the Runner passes the data set's image shape); a data shape [H, W] is
/// one channel, and a flat shape [d] with d a square is one √d×√d channel, for callers with rows.
/// As an `ImageNetworkArchitecture` it tells a recipe check which image shapes it cannot take.
public struct UNetArchitecture: NetworkArchitecture {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// The channels of the first level.
        public var baseChannels = 32
        /// m_ℓ per level: level ℓ has baseChannels·m_ℓ channels; the count is the number of levels.
        public var channelMultipliers = [1, 2, 2]
        /// B, residual blocks per level on the way down (B + 1 on the way up).
        public var blocksPerLevel = 2
        /// The image sides at which attention follows each residual block (8×8 digits: 8, 4, 2).
        public var attentionResolutions = [4]
        /// Attention heads; must divide every level's channels.
        public var headCount = 1
        /// G of every GroupNorm; must divide baseChannels.
        public var groupCount = 8
        /// The noise embedding: `mlp`, `levelTable`, `sinusoidal` or `fourier`.
        public var embedding = NoiseEmbedding.Kind.sinusoidal
        /// w, the width of the embedding (DDPM: 4·baseChannels).
        public var embeddingWidth = 128
        /// What the embedding sees: `logNoiseLevel` (log σ/α) or `time` (t).
        public var conditioning = NoiseConditionalMLP.ConditioningInput.logNoiseLevel
        /// s of `sinusoidal`: c is multiplied by it.
        public var sinusoidalScale = 1000.0
        /// s of `fourier`: the standard deviation of the fixed frequencies (score_sde's 16).
        public var fourierScale = 16.0
        /// L of `levelTable`: one row per level of σ_max … σ_min.
        public var levelCount = 10
        /// σ_max of `levelTable`.
        public var sigmaMax = 10.0
        /// σ_min of `levelTable`.
        public var sigmaMin = 0.01
        /// The initialisation of the layers that do not start at zero.
        public var initialization = Initialization.pytorchDefault

        public init() {}

        public func validate() throws(ConfigurationError) {
            try requireCount(baseChannels, key: "baseChannels", atMost: SizeCeiling.width, of: "widths")
            guard channelMultipliers.count <= SizeCeiling.layers else {
                throw .outOfRange(
                    key: "channelMultipliers", value: "a list of \(channelMultipliers.count) levels",
                    expected: "at most 1,000 levels (the ceiling for layer counts)")
            }
            for (index, multiplier) in channelMultipliers.enumerated() {
                try requireCount(
                    multiplier, key: "channelMultipliers.\(index)", atMost: SizeCeiling.width / baseChannels,
                    of: "widths: baseChannels × multiplier ≤ 65,536")
            }
            try requireCount(embeddingWidth, key: "embeddingWidth", atMost: SizeCeiling.width, of: "widths")
            guard !channelMultipliers.isEmpty, channelMultipliers.allSatisfy({ $0 > 0 }) else {
                throw .outOfRange(
                    key: "channelMultipliers", value: "\(channelMultipliers)",
                    expected: "a non-empty list of integers > 0")
            }
            try requireCount(blocksPerLevel, key: "blocksPerLevel", atMost: SizeCeiling.layers, of: "layer counts")
            for (index, side) in attentionResolutions.enumerated() {
                try requireCount(
                    side, key: "attentionResolutions.\(index)", atMost: SizeCeiling.width, of: "image sides")
            }
            guard groupCount > 0, baseChannels % groupCount == 0 else {
                throw .outOfRange(
                    key: "groupCount", value: "\(groupCount)", expected: "a divisor of baseChannels (\(baseChannels))")
            }
            guard headCount > 0, channelMultipliers.allSatisfy({ (baseChannels * $0) % headCount == 0 }) else {
                throw .outOfRange(
                    key: "headCount", value: "\(headCount)", expected: "a divisor of every level's channel count")
            }
            let even = embedding == .sinusoidal || embedding == .fourier
            guard embeddingWidth > 0, !even || embeddingWidth % 2 == 0, embedding != .sinusoidal || embeddingWidth >= 4
            else {
                throw .outOfRange(
                    key: "embeddingWidth", value: "\(embeddingWidth)",
                    expected: even ? "an even integer ≥ 4 for a \(embedding.rawValue) embedding" : "an integer > 0")
            }
            guard sinusoidalScale > 0 else {
                throw .outOfRange(key: "sinusoidalScale", value: "\(sinusoidalScale)", expected: "a number > 0")
            }
            guard fourierScale > 0 else {
                throw .outOfRange(key: "fourierScale", value: "\(fourierScale)", expected: "a number > 0")
            }
            try requireCount(levelCount, key: "levelCount", atMost: SizeCeiling.levels, of: "noise levels")
            guard sigmaMin > 0 else {
                throw .outOfRange(key: "sigmaMin", value: "\(sigmaMin)", expected: "a number > 0")
            }
            guard sigmaMax > sigmaMin else {
                throw .outOfRange(key: "sigmaMax", value: "\(sigmaMax)", expected: "a number > sigmaMin (\(sigmaMin))")
            }
        }
    }

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// A `UNet` for samples [C, H, W], [H, W] (one channel) or [d] (one √d×√d channel).
    /// - Precondition: the shape is an image as above, with H and W divisible by 2^(levels − 1).
    public func makeModel(sampleShape: [Int], classCount: Int, seed: UInt64) -> any TrainableModel {
        guard let images = Self.imageShape(of: sampleShape) else {
            preconditionFailure("the U-Net takes images [C, H, W], [H, W] or a square [H·W], got \(sampleShape)")
        }
        return UNet(
            sampleShape: images, shape: configuration.shape, embedding: configuration.embedding(seed: seed),
            classCount: classCount, seed: seed)
    }
}

extension UNetArchitecture.Configuration {
    /// The U-Net's levels, blocks, attention and initialisation these keys describe (the `unet`
    /// network's and the `unet-classifier`'s encoder).
    var shape: UNet.Shape {
        var shape = UNet.Shape()
        shape.baseChannels = baseChannels
        shape.channelMultipliers = channelMultipliers
        shape.blocksPerLevel = blocksPerLevel
        shape.attentionResolutions = attentionResolutions
        shape.headCount = headCount
        shape.groupCount = groupCount
        shape.initialization = initialization
        return shape
    }

    /// The noise embedding these keys describe.
    func embedding(seed: UInt64) -> NoiseEmbedding {
        NoiseEmbedding(
            name: "embedding", kind: embedding, width: embeddingWidth, input: conditioning, activation: .silu,
            sinusoidalScale: sinusoidalScale, fourierScale: fourierScale,
            noiseLevels: NoiseEmbedding.geometricLevels(count: levelCount, sigmaMax: sigmaMax, sigmaMin: sigmaMin),
            seed: seed)
    }
}

extension UNetArchitecture: ImageNetworkArchitecture {
    /// Images [C, H, W] whose sides halve `channelMultipliers.count − 1` times without a remainder.
    public func problem(withImageShape shape: [Int]) -> String? {
        guard shape.count == 3, shape.allSatisfy({ $0 >= 1 }) else {
            return "an image shape is [C, H, W], got \(shape)"
        }
        let levels = configuration.channelMultipliers.count
        let factor = 1 << max(levels - 1, 0)
        guard shape[1] % factor == 0, shape[2] % factor == 0 else {
            return "a U-Net of \(levels) levels halves the image \(levels - 1) times, "
                + "so H and W must be divisible by \(factor)"
        }
        return nil
    }
}

extension UNetArchitecture: RegisteredComponent {
    public static let id: ComponentID = "unet"
    public static let summary =
        "U-Net for images [C, H, W]: GroupNorm/SiLU residual blocks, noise embedding in every block, attention, labels"
}

extension UNetArchitecture {
    /// [C, H, W] for samples of `sampleShape`: [C, H, W] itself, [H, W] as one channel, [d] as one
    /// √d × √d channel; `nil` for other ranks and non-square d.
    static func imageShape(of sampleShape: [Int]) -> [Int]? {
        switch sampleShape.count {
        case 3: return sampleShape
        case 2: return [1] + sampleShape
        case 1:
            let side = Int(Double(sampleShape[0]).squareRoot().rounded())
            return side * side == sampleShape[0] ? [1, side, side] : nil
        default: return nil
        }
    }

    /// Parameters and activations counted stage by stage as `UNet` builds them: per residual
    /// block two 3×3 convolutions, the embedding projection and a 1×1 skip when the channels
    /// change; per attention q, k, v and the output projection, and the H·W × H·W weights of
    /// each head per row. Activations count every stage's output a few times over (norm,
    /// activation, convolution, gradients).
    public func footprint(sampleShape: [Int], classCount: Int) -> NetworkFootprint? {
        let c = configuration
        guard let images = Self.imageShape(of: sampleShape) else { return nil }
        let (inputChannels, base, width) = (Double(images[0]), Double(c.baseChannels), Double(c.embeddingWidth))
        var side = Double(images[1])
        var parameters = 2 * width * width + 9 * inputChannels * base * 2 + Double(classCount + 1) * width
        var activations = 6 * side * side * base
        func block(_ input: Double, _ output: Double) {
            parameters += 9 * input * output + 9 * output * output + width * output
            parameters += input == output ? 0 : input * output
            activations += 10 * side * side * output
        }
        func attention(_ channels: Double) {
            parameters += 4 * channels * channels
            activations += 8 * side * side * channels + 2 * Double(c.headCount) * side * side * side * side
        }
        var channels = base
        var skips = [base]
        for (level, multiplier) in c.channelMultipliers.enumerated() {
            let attends = c.attentionResolutions.contains(Int(side))
            for _ in 0..<c.blocksPerLevel {
                block(channels, base * Double(multiplier))
                channels = base * Double(multiplier)
                if attends { attention(channels) }
                skips.append(channels)
            }
            if level < c.channelMultipliers.count - 1 {
                parameters += 9 * channels * channels
                skips.append(channels)
                side = (side / 2).rounded(.down)
            }
        }
        block(channels, channels)
        attention(channels)
        block(channels, channels)
        for (level, multiplier) in c.channelMultipliers.enumerated().reversed() {
            let attends = c.attentionResolutions.contains(Int(side))
            for _ in 0...c.blocksPerLevel {
                block(channels + (skips.popLast() ?? 0), base * Double(multiplier))
                channels = base * Double(multiplier)
                if attends { attention(channels) }
            }
            if level > 0 {
                parameters += 9 * channels * channels
                side *= 2
            }
        }
        return NetworkFootprint(parameterCount: parameters, activationsPerRow: activations)
    }
}
