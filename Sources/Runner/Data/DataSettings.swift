public import ScoreKitCore

/// The keys every `data:` section has, whatever its `kind`: the data's own seed, whether to
/// keep class labels, the held-out split and standardisation.
///
/// ```yaml
/// data: { kind: ring, count: 100000, seed: 0, labelled: false, heldOutFraction: 0.1, standardization: none }
/// ```
/// The data seed is apart from the recipe's root `seed`, so runs that differ only in their seed
/// train on the same data; generated sets, and the split, are functions of it alone.
public struct DataSettings: ComponentConfiguration, Equatable {
    /// How samples are rescaled before training.
    public enum Standardization: String, Codable, Sendable, CaseIterable {
        /// As they are.
        case none
        /// z = (x − m)/s per dimension, with the mean m and standard deviation s of the
        /// training part; the run keeps (m, s) to map samples back, x = m + s·z.
        case perDimension
    }

    /// The data's seed: generated samples and the held-out split derive from it.
    public var seed = 0
    /// Keep the class labels (component, moon, label column) for conditional training.
    public var labelled = false
    /// The fraction of samples held out from training (for `training.evaluateEvery`), in [0, 1).
    public var heldOutFraction = 0.0
    /// How samples are rescaled before training.
    public var standardization = Standardization.none

    public init() {}

    public func validate() throws(ConfigurationError) {
        guard seed >= 0 else { throw .outOfRange(key: "seed", value: "\(seed)", expected: "an integer ≥ 0") }
        guard heldOutFraction >= 0, heldOutFraction < 1 else {
            throw .outOfRange(key: "heldOutFraction", value: "\(heldOutFraction)", expected: "a number in [0, 1)")
        }
    }

    /// The seed of the generated samples.
    var sampleSeed: UInt64 { SeedSequence(seed: UInt64(seed)).child("samples").seed }

    /// The seed of the held-out split.
    var splitSeed: UInt64 { SeedSequence(seed: UInt64(seed)).child("split").seed }
}

/// The registered form of a data source: its own keys and `DataSettings`' keys in one mapping.
///
/// Not used directly: `ComponentRegistry.register(data:)` registers `DataSection<Source>`.
public struct DataSection<Source: DataSource & RegisteredComponent>: RegisteredComponent {
    /// The source's configuration followed by the shared settings, flat in one mapping.
    public struct Configuration: ComponentConfiguration {
        /// The source's keys.
        public var source = Source.Configuration()
        /// The keys every data set has.
        public var settings = DataSettings()

        public init() {}

        public init(from decoder: any Decoder) throws {
            source = try Source.Configuration(from: decoder)
            settings = try DataSettings(from: decoder)
        }

        public func encode(to encoder: any Encoder) throws {
            try source.encode(to: encoder)
            try settings.encode(to: encoder)
        }

        public func validate() throws(ConfigurationError) {
            try source.validate()
            try settings.validate()
        }
    }

    public static var id: ComponentID { Source.id }
    public static var summary: String { Source.summary }

    /// The source and its settings.
    public let specification: DataSpecification

    public init(configuration: Configuration) throws(ConfigurationError) {
        let source = try Source(configuration: configuration.source)
        if configuration.settings.labelled, !source.providesLabels {
            throw .outOfRange(
                key: "labelled", value: "true",
                expected: "false: data set '\(Source.id)' has no labels as configured (give it a label column or file)")
        }
        specification = DataSpecification(id: Source.id, source: source, settings: configuration.settings)
    }
}
