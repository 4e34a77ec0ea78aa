/// A component inside another component's configuration, written as a recipe section:
/// `corrector: {kind: langevin, snr: 0.16, steps: 1}`.
///
/// Components that hold components (a predictor–corrector sampler's `predictor` and
/// `corrector`, anything nested later) declare such a property in their `Configuration`:
/// ```swift
/// public struct Configuration: ComponentConfiguration {
///     public var predictor = NestedComponent<any Sampler>(
///         ReverseDiffusionSampler(), configuration: .init())
/// }
/// public init(configuration: Configuration) throws(ConfigurationError) {
///     predictor = try configuration.predictor.component(key: "predictor")
/// }
/// ```
/// When the registry makes the owner, it resolves the nested section through *itself*, the
/// registry of the command that runs the recipe (`ComponentRegistry.resolve`), in the family
/// whose product is `Product`. So a plug-in's sampler or corrector, registered beside the
/// standard ones, can be nested too; errors inside carry the full key path and the location
/// of the value, as a top-level section's do. A default made in code keeps only the keys that
/// differ from its component's defaults, so naming another `kind` in a recipe brings none of
/// the old component's keys along.
///
/// Encoding writes `kind` and, once resolved, every key of the nested component with its
/// defaults filled (what `resolved-recipe.yaml` shows). Decoded without a registry (a plain
/// `ConfigurationDecoder()`), it keeps `kind` and the keys unchecked and has no component.
public struct NestedComponent<Product: Sendable>: Codable, Sendable, Equatable {
    /// The component's id in its family.
    public var kind: String
    /// Every key but `kind`, as a mapping.
    public var settings: ConfigurationValue
    /// The component, once made: by the registry when resolving, or given in code.
    public private(set) var product: Product?

    /// The component `kind` with `settings` (a mapping; empty for all defaults), not yet made.
    public init(kind: String, settings: ConfigurationValue = .mapping([])) {
        self.kind = kind
        self.settings = settings
        product = nil
    }

    /// A component already made, with the configuration it was made from: a default written in code.
    /// Its settings are the keys of `configuration` that differ from `C.Configuration()`.
    ///
    /// `component` must be a `Product` (a sampler for `NestedComponent<any Sampler>`); anything
    /// else is a programming error.
    public init<C: RegisteredComponent>(_ component: C, configuration: C.Configuration) {
        guard let product = component as? Product else {
            preconditionFailure("\(C.self) is not a \(Product.self)")
        }
        self.kind = C.id.rawValue
        do {
            let defaults = C.Configuration.schema
            let entries = try ConfigurationEncoder().encode(configuration).entries ?? []
            settings = .mapping(entries.filter { defaults[$0.key] != $0.value })
        } catch {
            preconditionFailure("\(C.Configuration.self) cannot be encoded: \(error)")
        }
        self.product = product
    }

    /// The section as a registry reads it: `kind` first, then the settings.
    public var section: ConfigurationValue {
        .mapping([ConfigurationValue.Entry(key: "kind", value: .string(kind))] + (settings.entries ?? []))
    }

    /// The component; `key` names this section in the owner's configuration, for the error
    /// thrown when nothing made it (a configuration decoded without a registry).
    public func component(key: String) throws(ConfigurationError) -> Product {
        guard let product else {
            throw .decodingFailed(
                path: key,
                reason:
                    "the nested \(key) '\(kind)' was not made: build the owner through a ComponentRegistry (registry.make), which resolves nested sections",
                location: settings.location)
        }
        return product
    }

    /// Compares `kind` and `settings`; the components themselves are not compared.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.kind == rhs.kind && lhs.settings == rhs.settings
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        var entries: [ConfigurationValue.Entry] = []
        var kind: String?
        for key in container.allKeys {
            if key.stringValue == "kind" {
                kind = try container.decode(String.self, forKey: key)
            } else {
                let value = try container.decode(AnyConfigurationValue.self, forKey: key).value
                entries.append(ConfigurationValue.Entry(key: key.stringValue, value: value))
            }
        }
        guard let kind else {
            throw DecodingError.keyNotFound(
                AnyCodingKey(stringValue: "kind"),
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "a component needs a 'kind'"))
        }
        self.init(kind: kind, settings: .mapping(entries))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encode(kind, forKey: AnyCodingKey(stringValue: "kind"))
        for entry in settings.entries ?? [] {
            try container.encode(AnyConfigurationValue(entry.value), forKey: AnyCodingKey(stringValue: entry.key))
        }
    }
}

/// What `ConfigurationDecoder` resolves through its registry instead of decoding field by field.
protocol RegistryResolvedValue {
    /// The value at `path`, made through `registry`.
    static func resolving(
        _ value: ConfigurationValue, path: String, registry: ComponentRegistry
    ) throws(ConfigurationError) -> Self
}

extension NestedComponent: RegistryResolvedValue {
    static func resolving(
        _ value: ConfigurationValue, path: String, registry: ComponentRegistry
    ) throws(ConfigurationError) -> Self {
        let resolved = try registry.resolve(producing: Product.self, from: value, path: path)
        let settings = resolved.configuration.entries?.filter { $0.key != "kind" } ?? []
        var nested = NestedComponent(kind: resolved.id.rawValue, settings: .mapping(settings))
        nested.product = resolved.product
        return nested
    }
}

/// A coding key for keys known only at run time.
struct AnyCodingKey: CodingKey {
    let stringValue: String
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { stringValue = String(intValue) }
    var intValue: Int? { nil }
}

/// Any configuration value, decoded by trying each shape in turn.
struct AnyConfigurationValue: Codable {
    let value: ConfigurationValue

    init(_ value: ConfigurationValue) { self.value = value }

    init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), single.decodeNil() {
            value = .null()
        } else if let mapping = try? decoder.container(keyedBy: AnyCodingKey.self) {
            value = .mapping(
                try mapping.allKeys.map { key in
                    ConfigurationValue.Entry(
                        key: key.stringValue, value: try mapping.decode(AnyConfigurationValue.self, forKey: key).value)
                })
        } else if var sequence = try? decoder.unkeyedContainer() {
            var elements: [ConfigurationValue] = []
            while !sequence.isAtEnd { elements.append(try sequence.decode(AnyConfigurationValue.self).value) }
            value = .sequence(elements)
        } else {
            let single = try decoder.singleValueContainer()
            if let bool = try? single.decode(Bool.self) {
                value = .bool(bool)
            } else if let integer = try? single.decode(Int.self) {
                value = .integer(integer)
            } else if let number = try? single.decode(Double.self) {
                value = .number(number)
            } else {
                value = .string(try single.decode(String.self))
            }
        }
    }

    func encode(to encoder: any Encoder) throws {
        switch value.content {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let bool):
            var single = encoder.singleValueContainer()
            try single.encode(bool)
        case .integer(let integer):
            var single = encoder.singleValueContainer()
            try single.encode(integer)
        case .number(let number):
            var single = encoder.singleValueContainer()
            try single.encode(number)
        case .string(let string):
            var single = encoder.singleValueContainer()
            try single.encode(string)
        case .sequence(let elements):
            var sequence = encoder.unkeyedContainer()
            for element in elements { try sequence.encode(AnyConfigurationValue(element)) }
        case .mapping(let entries):
            var mapping = encoder.container(keyedBy: AnyCodingKey.self)
            for entry in entries {
                try mapping.encode(AnyConfigurationValue(entry.value), forKey: AnyCodingKey(stringValue: entry.key))
            }
        }
    }
}
