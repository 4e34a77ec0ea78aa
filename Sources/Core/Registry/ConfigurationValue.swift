/// A format-neutral configuration tree: what a recipe says, before it becomes typed components.
///
/// The Runner turns a YAML node into this tree, keeping each node's `SourceLocation`;
/// `ConfigurationDecoder` then decodes typed `Configuration`s from it strictly, and
/// `ConfigurationEncoder` turns them back into a tree (defaults, resolved recipes).
/// Mappings keep their keys in order, so a resolved recipe lists keys as the type declares them.
///
/// ```swift
/// let sampler: ConfigurationValue = ["kind": "heun", "churn": 0.2]
/// sampler["churn"]                     // 0.2
/// ```
/// Equality and hashing compare content only, never locations.
public struct ConfigurationValue: Hashable, Sendable {
    /// The shape and payload of a node.
    public enum Content: Hashable, Sendable {
        /// An empty or `null` value.
        case null
        /// `true` or `false`.
        case bool(Bool)
        /// A whole number written without a decimal point or exponent.
        case integer(Int)
        /// A floating-point number; `Double` fields also accept `integer`.
        case number(Double)
        /// Text.
        case string(String)
        /// An ordered list.
        case sequence([ConfigurationValue])
        /// Key/value pairs in the order written.
        case mapping([Entry])
    }

    /// One key/value pair of a mapping, with the key's own location.
    public struct Entry: Hashable, Sendable {
        /// The key, a Swift property name in recipes.
        public var key: String
        /// Where the key was written, if it came from a file.
        public var keyLocation: SourceLocation?
        /// The value under `key`.
        public var value: ConfigurationValue

        /// Creates a pair; `keyLocation` points at the key, not at the value.
        public init(key: String, value: ConfigurationValue, keyLocation: SourceLocation? = nil) {
            self.key = key
            self.value = value
            self.keyLocation = keyLocation
        }

        /// Compares key and value, ignoring locations.
        public static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.key == rhs.key && lhs.value == rhs.value
        }

        /// Hashes key and value, ignoring locations.
        public func hash(into hasher: inout Hasher) {
            hasher.combine(key)
            hasher.combine(value)
        }
    }

    /// The node's shape and payload.
    public var content: Content
    /// Where the node was written, if it came from a file.
    public var location: SourceLocation?

    /// Creates a node from its content and an optional location.
    public init(_ content: Content, location: SourceLocation? = nil) {
        self.content = content
        self.location = location
    }

    /// Compares content recursively, ignoring locations.
    public static func == (lhs: ConfigurationValue, rhs: ConfigurationValue) -> Bool {
        lhs.content == rhs.content
    }

    /// Hashes content recursively, ignoring locations.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(content)
    }
}

// MARK: - Building

extension ConfigurationValue {
    /// A `null` node.
    public static func null(at location: SourceLocation? = nil) -> ConfigurationValue {
        ConfigurationValue(.null, location: location)
    }

    /// A boolean node.
    public static func bool(_ value: Bool, at location: SourceLocation? = nil) -> ConfigurationValue {
        ConfigurationValue(.bool(value), location: location)
    }

    /// An integer node.
    public static func integer(_ value: Int, at location: SourceLocation? = nil) -> ConfigurationValue {
        ConfigurationValue(.integer(value), location: location)
    }

    /// A floating-point node.
    public static func number(_ value: Double, at location: SourceLocation? = nil) -> ConfigurationValue {
        ConfigurationValue(.number(value), location: location)
    }

    /// A string node.
    public static func string(_ value: String, at location: SourceLocation? = nil) -> ConfigurationValue {
        ConfigurationValue(.string(value), location: location)
    }

    /// A sequence node.
    public static func sequence(
        _ elements: [ConfigurationValue], at location: SourceLocation? = nil
    ) -> ConfigurationValue {
        ConfigurationValue(.sequence(elements), location: location)
    }

    /// A mapping node; entries keep their order.
    public static func mapping(_ entries: [Entry], at location: SourceLocation? = nil) -> ConfigurationValue {
        ConfigurationValue(.mapping(entries), location: location)
    }
}

// MARK: - Reading

extension ConfigurationValue {
    /// The value under `key` if this is a mapping that has it (the first, if written twice).
    public subscript(key: String) -> ConfigurationValue? {
        entries?.first { $0.key == key }?.value
    }

    /// The entries if this is a mapping, else `nil`.
    public var entries: [Entry]? {
        if case .mapping(let entries) = content { entries } else { nil }
    }

    /// The keys in order if this is a mapping, else `nil`.
    public var keys: [String]? { entries?.map(\.key) }

    /// The elements if this is a sequence, else `nil`.
    public var elements: [ConfigurationValue]? {
        if case .sequence(let elements) = content { elements } else { nil }
    }

    /// Whether this is `null`.
    public var isNull: Bool { content == .null }

    /// The boolean payload, or `nil`.
    public var boolValue: Bool? {
        if case .bool(let value) = content { value } else { nil }
    }

    /// The integer payload, or `nil` (a `number` is not converted).
    public var integerValue: Int? {
        if case .integer(let value) = content { value } else { nil }
    }

    /// The numeric payload of a `number` or an `integer`, or `nil`.
    public var numberValue: Double? {
        switch content {
        case .number(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    /// The string payload, or `nil`.
    public var stringValue: String? {
        if case .string(let value) = content { value } else { nil }
    }

    /// The first key written twice in this mapping, with its second occurrence.
    var firstDuplicateEntry: Entry? {
        guard let entries else { return nil }
        var seen = Set<String>()
        return entries.first { !seen.insert($0.key).inserted }
    }
}

// MARK: - Merging

extension ConfigurationValue {
    /// This tree with `overrides` laid over it: user values over defaults.
    ///
    /// Two mappings merge key by key, recursively; keys only in `overrides` are appended in
    /// their order, and keys only here keep their place. Anything else is replaced whole by
    /// `overrides`, sequences included. A dictionary-valued property therefore keeps its
    /// default entries. Merged mappings take the location of `overrides`.
    public func merging(overrides: ConfigurationValue) -> ConfigurationValue {
        guard var merged = entries, let overriding = overrides.entries else { return overrides }
        for entry in overriding {
            if let index = merged.firstIndex(where: { $0.key == entry.key }) {
                let value = merged[index].value.merging(overrides: entry.value)
                merged[index] = Entry(key: entry.key, value: value, keyLocation: entry.keyLocation)
            } else {
                merged.append(entry)
            }
        }
        return .mapping(merged, at: overrides.location)
    }
}

// MARK: - Literals

extension ConfigurationValue: ExpressibleByNilLiteral {
    /// `nil` is `null`.
    public init(nilLiteral: ()) { self.init(.null) }
}

extension ConfigurationValue: ExpressibleByBooleanLiteral {
    /// A boolean node.
    public init(booleanLiteral value: Bool) { self.init(.bool(value)) }
}

extension ConfigurationValue: ExpressibleByIntegerLiteral {
    /// An integer node.
    public init(integerLiteral value: Int) { self.init(.integer(value)) }
}

extension ConfigurationValue: ExpressibleByFloatLiteral {
    /// A floating-point node.
    public init(floatLiteral value: Double) { self.init(.number(value)) }
}

extension ConfigurationValue: ExpressibleByStringLiteral {
    /// A string node.
    public init(stringLiteral value: String) { self.init(.string(value)) }
}

extension ConfigurationValue: ExpressibleByArrayLiteral {
    /// A sequence node.
    public init(arrayLiteral elements: ConfigurationValue...) { self.init(.sequence(elements)) }
}

extension ConfigurationValue: ExpressibleByDictionaryLiteral {
    /// A mapping node with the pairs in the order written.
    public init(dictionaryLiteral elements: (String, ConfigurationValue)...) {
        self.init(.mapping(elements.map { Entry(key: $0.0, value: $0.1) }))
    }
}
