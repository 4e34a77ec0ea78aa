public import ScoreKitCore

/// The registered form of `EnergyNetwork`: `network: { kind: energy, hiddenWidths: [128, 128] }`, a
/// scalar energy E_θ(x, t) on the seed's MLP trunk whose output is −∇E_θ. Its models know their
/// log-density (`LogDensityArchitecture`), so a recipe may sample it with `mala`.
///
/// The keys are `mlp`'s (without `zeroOutput`: a zero energy has no gradient to start from).
public struct EnergyArchitecture: LogDensityArchitecture {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// Widths of the hidden layers of the trunk.
        public var hiddenWidths = [256, 256, 256]
        /// Width of the noise embedding MLP.
        public var embeddingWidth = 32
        /// What the embedding sees: `logNoiseLevel` (log σ/α) or `time` (t).
        public var conditioning = NoiseConditionalMLP.ConditioningInput.logNoiseLevel

        public init() {}

        /// The trunk's checks, those of `mlp`.
        public func validate() throws(ConfigurationError) {
            try trunk.validate()
        }

        /// The same sizes as an `mlp` configuration.
        var trunk: NoiseConditionalMLPArchitecture.Configuration {
            var trunk = NoiseConditionalMLPArchitecture.Configuration()
            trunk.hiddenWidths = hiddenWidths
            trunk.embeddingWidth = embeddingWidth
            trunk.conditioning = conditioning
            return trunk
        }
    }

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// The energy for rows of `sampleShape.reduce(1, *)` values: an image [C, H, W] is read flat.
    public func makeModel(sampleShape: [Int], classCount: Int, seed: UInt64) -> any TrainableModel {
        EnergyNetwork(
            dimension: sampleShape.reduce(1, *), embeddingWidth: configuration.embeddingWidth,
            hiddenWidths: configuration.hiddenWidths, conditioning: configuration.conditioning,
            classCount: classCount, seed: seed)
    }

    /// `mlp`'s sizes with one output instead of d; a training step keeps the forward pass, the
    /// recorded backward pass and the gradients of both, so activations count three times `mlp`'s.
    public func footprint(sampleShape: [Int], classCount: Int) -> NetworkFootprint? {
        let trunk = NoiseConditionalMLPArchitecture(configuration: configuration.trunk)
        guard let mlp = trunk.footprint(sampleShape: sampleShape, classCount: classCount) else { return nil }
        let last = Double(configuration.hiddenWidths.last ?? 0) + 1
        let outputs = Double(sampleShape.reduce(1, *)) - 1
        return NetworkFootprint(
            parameterCount: mlp.parameterCount - last * outputs, activationsPerRow: 3 * mlp.activationsPerRow)
    }
}

extension EnergyArchitecture: RegisteredComponent {
    public static let id: ComponentID = "energy"
    public static let summary =
        "Energy-based model: a scalar MLP E(x, t) whose output is −∇ₓE; it has a log-density (for mala)"
}
