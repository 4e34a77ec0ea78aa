/// Writes a mapping, key by key, in encoding order.
struct TreeKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: TreeEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }

    private func child(_ key: any CodingKey) -> TreeEncoder {
        encoder.child(encoder.node.child(forKey: key.stringValue), key: key)
    }

    private func single(_ key: Key) -> TreeSingleValueEncodingContainer {
        TreeSingleValueEncodingContainer(encoder: child(key))
    }

    func encodeNil(forKey key: Key) { single(key).encodeNil() }
    func encode(_ value: Bool, forKey key: Key) { single(key).encode(value) }
    func encode(_ value: String, forKey key: Key) { single(key).encode(value) }
    func encode(_ value: Double, forKey key: Key) { single(key).encode(value) }
    func encode(_ value: Float, forKey key: Key) { single(key).encode(value) }
    func encode(_ value: Int, forKey key: Key) { single(key).encode(value) }
    func encode(_ value: Int8, forKey key: Key) { single(key).encode(value) }
    func encode(_ value: Int16, forKey key: Key) { single(key).encode(value) }
    func encode(_ value: Int32, forKey key: Key) { single(key).encode(value) }
    func encode(_ value: Int64, forKey key: Key) { single(key).encode(value) }
    func encode(_ value: UInt, forKey key: Key) throws { try single(key).encode(value) }
    func encode(_ value: UInt8, forKey key: Key) { single(key).encode(value) }
    func encode(_ value: UInt16, forKey key: Key) { single(key).encode(value) }
    func encode(_ value: UInt32, forKey key: Key) { single(key).encode(value) }
    func encode(_ value: UInt64, forKey key: Key) throws { try single(key).encode(value) }
    func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try child(key).encodeChecked(value) }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    )
        -> KeyedEncodingContainer<NestedKey>
    {
        child(key).container(keyedBy: keyType)
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        child(key).unkeyedContainer()
    }

    func superEncoder() -> any Encoder { child(TreeNamedKey(stringValue: "super")) }
    func superEncoder(forKey key: Key) -> any Encoder { child(key) }
}

/// Writes a sequence, element by element.
struct TreeUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let encoder: TreeEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { encoder.node.elementCount }

    private func next() -> TreeEncoder {
        let key = TreeIndexKey(count)
        return encoder.child(encoder.node.appendElement(), key: key)
    }

    private func single() -> TreeSingleValueEncodingContainer {
        TreeSingleValueEncodingContainer(encoder: next())
    }

    func encodeNil() { single().encodeNil() }
    func encode(_ value: Bool) { single().encode(value) }
    func encode(_ value: String) { single().encode(value) }
    func encode(_ value: Double) { single().encode(value) }
    func encode(_ value: Float) { single().encode(value) }
    func encode(_ value: Int) { single().encode(value) }
    func encode(_ value: Int8) { single().encode(value) }
    func encode(_ value: Int16) { single().encode(value) }
    func encode(_ value: Int32) { single().encode(value) }
    func encode(_ value: Int64) { single().encode(value) }
    func encode(_ value: UInt) throws { try single().encode(value) }
    func encode(_ value: UInt8) { single().encode(value) }
    func encode(_ value: UInt16) { single().encode(value) }
    func encode(_ value: UInt32) { single().encode(value) }
    func encode(_ value: UInt64) throws { try single().encode(value) }
    func encode<T: Encodable>(_ value: T) throws { try next().encodeChecked(value) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        next().container(keyedBy: keyType)
    }

    func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { next().unkeyedContainer() }
    func superEncoder() -> any Encoder { next() }
}

/// Writes one scalar into the encoder's node.
struct TreeSingleValueEncodingContainer: SingleValueEncodingContainer {
    let encoder: TreeEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }

    private func set(_ content: ConfigurationValue.Content) {
        encoder.node.shape = .scalar(ConfigurationValue(content))
    }

    func encodeNil() { set(.null) }
    func encode(_ value: Bool) { set(.bool(value)) }
    func encode(_ value: String) { set(.string(value)) }
    func encode(_ value: Double) { set(.number(value)) }
    /// The shortest decimal that reads back as `value`, so `Float(0.1)` is written `0.1`.
    func encode(_ value: Float) { set(.number(value.isFinite ? Double("\(value)") ?? Double(value) : Double(value))) }
    func encode(_ value: Int) { set(.integer(value)) }
    func encode(_ value: Int8) { set(.integer(Int(value))) }
    func encode(_ value: Int16) { set(.integer(Int(value))) }
    func encode(_ value: Int32) { set(.integer(Int(value))) }
    func encode(_ value: Int64) { set(.integer(Int(value))) }
    func encode(_ value: UInt) throws(ConfigurationError) { try encodeInteger(value) }
    func encode(_ value: UInt8) { set(.integer(Int(value))) }
    func encode(_ value: UInt16) { set(.integer(Int(value))) }
    func encode(_ value: UInt32) { set(.integer(Int(value))) }
    func encode(_ value: UInt64) throws(ConfigurationError) { try encodeInteger(value) }
    func encode<T: Encodable>(_ value: T) throws { try encoder.encodeChecked(value) }

    private func encodeInteger(_ value: some FixedWidthInteger) throws(ConfigurationError) {
        guard let integer = Int(exactly: value) else {
            throw .encodingFailed(path: encoder.path, reason: "\(value) is larger than the largest integer, \(Int.max)")
        }
        set(.integer(integer))
    }
}
