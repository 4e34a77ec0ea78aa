/// The settings of one component, decoded from its recipe mapping; its defaults are its schema.
///
/// ```swift
/// public struct Configuration: ComponentConfiguration {
///     /// Noise re-injected per step, `S_churn` in Karras et al. (2022); 0 is deterministic.
///     public var churn = 0.0
///     public init() {}
///     public func validate() throws(ConfigurationError) {
///         guard churn >= 0 else {
///             throw .outOfRange(key: "churn", value: "\(churn)", expected: "a number ≥ 0")
///         }
///     }
/// }
/// ```
/// Rules (STYLE.md §5): every property is non-optional with a default, so encoding `init()`
/// lists every key; keys are the property names; modes are enumerations with `String` raw
/// values. Keep synthesized `Codable`, or make `encode(to:)` write exactly the keys
/// `init(from:)` reads: anything encoded but not decoded is reported as an unknown key.
public protocol ComponentConfiguration: Codable, Sendable {
    /// The defaults: every key the component accepts, with its default value.
    init()

    /// Checks ranges and relations between values, after decoding.
    ///
    /// Throw `.outOfRange(key:value:expected:)`; `decode(from:path:component:)` adds the full
    /// key path and the location of the offending value. Nested structures are checked here
    /// too: only the top-level configuration's `validate()` is called.
    func validate() throws(ConfigurationError)
}

extension ComponentConfiguration {
    /// Accepts every decoded value.
    public func validate() throws(ConfigurationError) {}

    /// `Self()` encoded: the valid keys, in declaration order, with their defaults.
    ///
    /// A configuration that cannot encode its own defaults is a programming error and stops
    /// the program with a message naming the type.
    public static var schema: ConfigurationValue {
        do {
            return try ConfigurationEncoder().encode(Self())
        } catch {
            preconditionFailure("\(Self.self)() cannot be encoded: \(error)")
        }
    }

    /// Decodes a configuration from the user's mapping at `path`, filling defaults, then validates it.
    ///
    /// 1. `value` must be a mapping (`null`, an empty YAML value, means all defaults).
    /// 2. Every key must be one `schema` has; otherwise the error lists the valid keys and
    ///    suggests the closest when it is a likely typo. `component` names the owner in that
    ///    message, such as `loss 'denoising-score-matching'`.
    /// 3. The mapping is merged over `schema`, so missing keys take their defaults (nested
    ///    mappings merge key by key), and decoded strictly by `ConfigurationDecoder`.
    /// 4. `validate()` runs; an `outOfRange` it throws comes back as
    ///    `.located(.outOfRange(…), path: "sampler.churn", location: …)`, pointing at the value
    ///    the user wrote (or at the mapping, if the value was a default).
    ///
    /// With a `registry`, nested component sections (`NestedComponent`) are resolved through it.
    public static func decode(
        from value: ConfigurationValue, path: String, component: String? = nil, registry: ComponentRegistry? = nil
    )
        throws(ConfigurationError) -> Self
    {
        let user: ConfigurationValue
        switch value.content {
        case .null:
            user = .mapping([], at: value.location)
        case .mapping:
            user = value
        default:
            throw .typeMismatch(
                path: path, expected: "a mapping", found: value.foundDescription, location: value.location)
        }
        let schema = Self.schema
        try checkKeys(of: user, against: schema, path: path, component: component)
        let merged = schema.merging(overrides: user)
        let configuration = try ConfigurationDecoder(registry: registry).decode(Self.self, from: merged, path: path)
        do {
            try configuration.validate()
        } catch {
            throw error.locating(in: user, path: path)
        }
        return configuration
    }

    /// Rejects duplicate keys and keys `schema` lacks, at the top level (nested levels are
    /// checked by the decoder, which also knows dictionaries from structures).
    private static func checkKeys(
        of user: ConfigurationValue, against schema: ConfigurationValue, path: String, component: String?
    ) throws(ConfigurationError) {
        if let duplicate = user.firstDuplicateEntry {
            throw .duplicateKey(path: path, key: duplicate.key, location: duplicate.keyLocation ?? user.location)
        }
        guard let entries = user.entries, let validKeys = schema.keys else { return }
        let sortedKeys = validKeys.sorted()
        for entry in entries where !validKeys.contains(entry.key) {
            throw .unknownKey(
                path: path, key: entry.key, component: component, validKeys: sortedKeys,
                suggestion: Suggestion.closest(to: entry.key, among: sortedKeys),
                location: entry.keyLocation ?? entry.value.location ?? user.location)
        }
    }
}
