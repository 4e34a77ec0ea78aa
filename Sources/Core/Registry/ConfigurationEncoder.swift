/// Encodes any `Encodable` into a `ConfigurationValue`: mappings keep encoding order.
///
/// Synthesized `Codable` encodes properties in declaration order, so encoding a
/// `Configuration()` lists every key with its default in the order the type declares them;
/// `scorekit list` prints that and `resolved-recipe.yaml` writes it. Integers become `integer`,
/// `Double` and `Float` become `number` (a `Float` keeps its shortest decimal form: `0.1`, not
/// `0.100000001`), raw-value enumerations their raw value. Dictionaries are written with sorted
/// keys, so output never depends on hashing order. The result has no locations.
public struct ConfigurationEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// The tree for `value`; `path` prefixes the key path in errors.
    /// - Throws: `ConfigurationError.encodingFailed` if a value has no tree form (an unsigned
    ///   integer above `Int.max`) or the type's own `encode(to:)` throws.
    public func encode(_ value: some Encodable, path: String = "") throws(ConfigurationError) -> ConfigurationValue {
        let node = EncodingNode()
        do {
            try TreeEncoder(node: node, basePath: path, codingPath: []).encodeChecked(value)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw .encodingFailed(path: path, reason: "\(error)")
        }
        return node.materialize()
    }
}

/// A node under construction; containers hold it by reference and fill it in.
final class EncodingNode {
    enum Shape {
        case unset
        case scalar(ConfigurationValue)
        case mapping, sequence
    }

    var shape = Shape.unset
    private var entries: [(key: String, node: EncodingNode)] = []
    private var elements: [EncodingNode] = []

    /// The finished tree; a node nothing was written to is `null`.
    func materialize() -> ConfigurationValue {
        switch shape {
        case .unset: .null()
        case .scalar(let value): value
        case .mapping: .mapping(entries.map { ConfigurationValue.Entry(key: $0.key, value: $0.node.materialize()) })
        case .sequence: .sequence(elements.map { $0.materialize() })
        }
    }

    /// Makes this node a mapping, keeping entries if it already is one.
    func becomeMapping() {
        if case .mapping = shape { return }
        shape = .mapping
        entries = []
    }

    /// Makes this node a sequence, keeping elements if it already is one.
    func becomeSequence() {
        if case .sequence = shape { return }
        shape = .sequence
        elements = []
    }

    /// A fresh node under `key`, replacing an earlier one in place.
    func child(forKey key: String) -> EncodingNode {
        let node = EncodingNode()
        if let index = entries.firstIndex(where: { $0.key == key }) {
            entries[index].node = node
        } else {
            entries.append((key, node))
        }
        return node
    }

    /// A fresh node after the last element.
    func appendElement() -> EncodingNode {
        let node = EncodingNode()
        elements.append(node)
        return node
    }

    var elementCount: Int { elements.count }

    func sortEntries() {
        entries.sort { $0.key < $1.key }
    }
}

/// Types whose keyed encoding order is arbitrary, and so is sorted.
protocol UnorderedKeyedCollection {}

extension Dictionary: UnorderedKeyedCollection {}

/// The `Encoder` writing into one `EncodingNode`.
struct TreeEncoder: Encoder {
    let node: EncodingNode
    let basePath: String
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    var path: String {
        let relative = codingPath.map { ($0 as? TreeIndexKey).map { String($0.index) } ?? $0.stringValue }
        return ConfigurationValue.joinPath(basePath, relative.joined(separator: "."))
    }

    /// An encoder for a new node one level down, at `key`.
    func child(_ node: EncodingNode, key: any CodingKey) -> TreeEncoder {
        TreeEncoder(node: node, basePath: basePath, codingPath: codingPath + [key])
    }

    func encodeChecked(_ value: some Encodable) throws {
        try value.encode(to: self)
        if value is any UnorderedKeyedCollection, case .mapping = node.shape { node.sortEntries() }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.becomeMapping()
        return KeyedEncodingContainer(TreeKeyedEncodingContainer<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.becomeSequence()
        return TreeUnkeyedEncodingContainer(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        TreeSingleValueEncodingContainer(encoder: self)
    }
}
