public import ScoreKitCore

/// A component inside another component's configuration, written as a recipe section:
/// `corrector: {kind: langevin, snr: 0.16, steps: 1}`.
///
/// It decodes `kind` and keeps the other keys as a `ConfigurationValue`, unchecked; the owner
/// makes the component with `make(_:key:registry:)`, which decodes and validates those keys
/// strictly against the chosen component's `Configuration`, as a top-level section would be.
/// Encoding writes `kind` and the keys as stored.
/// - Limitations: values keep no source locations, so errors inside point at the owner's
///   section; an out-of-range value is reported at its full path (`sampler.corrector.snr`).
public struct NestedComponent: Codable, Sendable, Equatable {
    /// The component's id in its family.
    public var kind: String
    /// Every key but `kind`, as a mapping.
    public var settings: ConfigurationValue

    /// The component `kind` with `settings` (a mapping; empty for all defaults).
    public init(kind: String, settings: ConfigurationValue = .mapping([])) {
        self.kind = kind
        self.settings = settings
    }

    /// The section as a registry reads it: `kind` first, then the settings.
    public var section: ConfigurationValue {
        .mapping([ConfigurationValue.Entry(key: "kind", value: .string(kind))] + (settings.entries ?? []))
    }

    /// Makes the component from `kind`'s family of `registry`; `key` is where it sits in the
    /// owner's configuration (`corrector`).
    public func make<Product>(
        _ family: ComponentKind<Product>, key: String, registry: ComponentRegistry
    )
        throws(ConfigurationError) -> Product
    {
        do {
            return try registry.make(family, from: section, path: key)
        } catch {
            // Out-of-range values go back as the owner's own, so its decoder locates them.
            if case .located(.outOfRange(_, let value, let expected), let path, _) = error {
                throw .outOfRange(key: path, value: value, expected: expected)
            }
            throw error
        }
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
