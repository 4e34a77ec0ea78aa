/// Decodes any `Decodable` from a `ConfigurationValue`, strictly.
///
/// - Numbers: `Double` and `Float` accept integers; integer types accept whole numbers only
///   (`18.0` is fine, `18.5` is a type mismatch) and check their range.
/// - `Bool` and `String` accept only booleans and strings: no `"yes"`, no `1`.
/// - Enumerations with raw values report a misspelled value with its valid values and a
///   suggestion (when the enumeration is also `CaseIterable`).
/// - Unknown keys are errors: after a type has decoded itself from a mapping, every key it did
///   not ask for is rejected, listing the keys it did ask for. So nested structures and
///   structures inside sequences are as strict as the top level.
///
/// Errors name the dotted key path (`sampler.churn`), the location, and what was expected.
/// Missing keys are errors too; `ComponentConfiguration.decode(from:path:component:)` fills
/// defaults first.
public struct ConfigurationDecoder: Sendable {
    /// Resolves nested component sections (`NestedComponent`), when given.
    public var registry: ComponentRegistry?

    /// Creates a decoder; with a `registry`, nested component sections are made through it.
    public init(registry: ComponentRegistry? = nil) {
        self.registry = registry
    }

    /// Decodes a `T` from `value`, which sits at the dotted `path` of the recipe (for messages).
    public func decode<T: Decodable>(
        _ type: T.Type, from value: ConfigurationValue, path: String = ""
    )
        throws(ConfigurationError) -> T
    {
        let decoder = TreeDecoder(value: value, root: value, basePath: path, codingPath: [], registry: registry)
        do {
            return try decoder.decodeChecked(T.self)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw .decodingFailed(path: path, reason: "\(error)", location: value.location)
        }
    }
}

/// The `Decoder` for one node; it remembers which keys its type asked for.
final class TreeDecoder: Decoder {
    let value: ConfigurationValue
    let root: ConfigurationValue
    let basePath: String
    let codingPath: [any CodingKey]
    let registry: ComponentRegistry?
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    private var requestedKeys = false
    private var accessedKeys: [String] = []
    private var children: [TreeDecoder] = []

    init(
        value: ConfigurationValue, root: ConfigurationValue, basePath: String, codingPath: [any CodingKey],
        registry: ComponentRegistry?
    ) {
        self.value = value
        self.root = root
        self.basePath = basePath
        self.codingPath = codingPath
        self.registry = registry
    }

    /// The dotted path of this node from the recipe root.
    var path: String { render(codingPath) }

    func render(_ codingPath: [any CodingKey]) -> String {
        ConfigurationValue.joinPath(basePath, relativePath(codingPath))
    }

    /// The dotted path from the decoded root, as `ConfigurationValue.value(atPath:)` reads it.
    func relativePath(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { ($0 as? TreeIndexKey).map { String($0.index) } ?? $0.stringValue }.joined(separator: ".")
    }

    /// A decoder for `value` one level down, at `key`.
    func child(_ value: ConfigurationValue, key: any CodingKey) -> TreeDecoder {
        TreeDecoder(value: value, root: root, basePath: basePath, codingPath: codingPath + [key], registry: registry)
    }

    /// A child whose keys must also be checked, because the caller decodes it by hand.
    func adoptedChild(_ value: ConfigurationValue, key: any CodingKey) -> TreeDecoder {
        let decoder = child(value, key: key)
        children.append(decoder)
        return decoder
    }

    func markAccessed(_ key: String) {
        if !accessedKeys.contains(key) { accessedKeys.append(key) }
    }

    func mismatch(expected: String) -> ConfigurationError {
        .typeMismatch(path: path, expected: expected, found: value.foundDescription, location: value.location)
    }

    /// Decodes `T` from this node, turns library `DecodingError`s into `ConfigurationError`s,
    /// then rejects keys `T` did not ask for.
    func decodeChecked<T: Decodable>(_ type: T.Type) throws -> T {
        if let registry, let resolvable = T.self as? any RegistryResolvedValue.Type {
            return try Self.resolve(resolvable, value: value, path: path, registry: registry) as! T
        }
        let result: T
        do {
            result = try T(from: self)
        } catch let error as DecodingError {
            throw converting(error, decoding: T.self)
        }
        try checkUnknownKeys()
        return result
    }

    private static func resolve<R: RegistryResolvedValue>(
        _ type: R.Type, value: ConfigurationValue, path: String, registry: ComponentRegistry
    ) throws(ConfigurationError) -> R {
        try R.resolving(value, path: path, registry: registry)
    }

    private func checkUnknownKeys() throws(ConfigurationError) {
        if requestedKeys, let entries = value.entries {
            let valid = accessedKeys.sorted()
            if let entry = entries.first(where: { !accessedKeys.contains($0.key) }) {
                throw .unknownKey(
                    path: path, key: entry.key, component: nil, validKeys: valid,
                    suggestion: Suggestion.closest(to: entry.key, among: valid),
                    location: entry.keyLocation ?? entry.value.location ?? value.location)
            }
        }
        for child in children { try child.checkUnknownKeys() }
    }

    private func converting<T>(_ error: DecodingError, decoding type: T.Type) -> ConfigurationError {
        let context: DecodingError.Context
        switch error {
        case .keyNotFound(let key, let keyContext):
            let node = root.value(atPath: relativePath(keyContext.codingPath))
            return .missingKey(
                path: render(keyContext.codingPath), key: key.stringValue, location: node?.location ?? value.location)
        case .dataCorrupted(let corruptContext):
            if corruptContext.codingPath.count == codingPath.count, let choices = Self.choices(of: T.self) {
                let written = value.stringValue ?? value.description
                return .invalidChoice(
                    path: path, value: written, choices: choices,
                    suggestion: Suggestion.closest(to: written, among: choices), location: value.location)
            }
            context = corruptContext
        case .typeMismatch(_, let mismatchContext), .valueNotFound(_, let mismatchContext):
            context = mismatchContext
        @unknown default:
            return .decodingFailed(path: path, reason: "\(error)", location: value.location)
        }
        let node = root.value(atPath: relativePath(context.codingPath))
        return .decodingFailed(
            path: render(context.codingPath), reason: context.debugDescription,
            location: node?.location ?? value.location)
    }

    /// The values of a case-iterable enumeration as a recipe writes them.
    private static func choices<T>(of type: T.Type) -> [String]? {
        guard let enumeration = type as? any (CaseIterable & Encodable).Type else { return nil }
        return names(of: enumeration)
    }

    private static func names<E: CaseIterable & Encodable>(of type: E.Type) -> [String] {
        E.allCases.compactMap { element in
            guard let encoded = try? ConfigurationEncoder().encode(element) else { return nil }
            return encoded.stringValue ?? encoded.description
        }
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard let entries = value.entries else { throw mismatch(expected: "a mapping") }
        if let duplicate = value.firstDuplicateEntry {
            throw ConfigurationError.duplicateKey(
                path: path, key: duplicate.key, location: duplicate.keyLocation ?? value.location)
        }
        requestedKeys = true
        return KeyedDecodingContainer(TreeKeyedContainer<Key>(decoder: self, entries: entries))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard let elements = value.elements else { throw mismatch(expected: "a sequence") }
        return TreeUnkeyedContainer(decoder: self, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        TreeSingleValueContainer(decoder: self)
    }
}

/// The coding key of a sequence element.
struct TreeIndexKey: CodingKey {
    let index: Int
    init(_ index: Int) { self.index = index }
    init?(stringValue: String) {
        guard let index = Int(stringValue) else { return nil }
        self.index = index
    }
    init?(intValue: Int) { index = intValue }
    var stringValue: String { String(index) }
    var intValue: Int? { index }
}

/// A coding key made from a string, such as `super`.
struct TreeNamedKey: CodingKey {
    let stringValue: String
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { stringValue = String(intValue) }
    var intValue: Int? { nil }
}
