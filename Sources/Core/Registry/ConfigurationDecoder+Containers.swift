/// Reads a mapping; every key asked about is recorded for the unknown-key check.
struct TreeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TreeDecoder
    let entries: [ConfigurationValue.Entry]

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { entries.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool {
        decoder.markAccessed(key.stringValue)
        return entries.contains { $0.key == key.stringValue }
    }

    private func value(for key: any CodingKey) throws(ConfigurationError) -> ConfigurationValue {
        decoder.markAccessed(key.stringValue)
        guard let entry = entries.first(where: { $0.key == key.stringValue }) else {
            throw .missingKey(path: decoder.path, key: key.stringValue, location: decoder.value.location)
        }
        return entry.value
    }

    private func single(_ key: Key) throws(ConfigurationError) -> TreeSingleValueContainer {
        TreeSingleValueContainer(decoder: decoder.child(try value(for: key), key: key))
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(for: key).isNull }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try single(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try single(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try single(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try single(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try single(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try single(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try single(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try single(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try single(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try single(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try single(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try single(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try single(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try single(key).decode(type) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.child(try value(for: key), key: key).decodeChecked(type)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder.adoptedChild(try value(for: key), key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(try value(for: key), key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        let key = TreeNamedKey(stringValue: "super")
        decoder.markAccessed(key.stringValue)
        let node = entries.contains { $0.key == key.stringValue } ? try value(for: key) : .null()
        return decoder.adoptedChild(node, key: key)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.adoptedChild(contains(key) ? try value(for: key) : .null(), key: key)
    }
}

/// Reads a sequence, element by element.
struct TreeUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: TreeDecoder
    let elements: [ConfigurationValue]
    private(set) var currentIndex = 0

    init(decoder: TreeDecoder, elements: [ConfigurationValue]) {
        self.decoder = decoder
        self.elements = elements
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws(ConfigurationError) -> TreeDecoder {
        guard !isAtEnd else {
            throw .decodingFailed(
                path: decoder.path, reason: "expected more than \(elements.count) elements",
                location: decoder.value.location)
        }
        defer { currentIndex += 1 }
        return decoder.child(elements[currentIndex], key: TreeIndexKey(currentIndex))
    }

    private mutating func single() throws(ConfigurationError) -> TreeSingleValueContainer {
        TreeSingleValueContainer(decoder: try next())
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try single().decode(type) }
    mutating func decode(_ type: String.Type) throws -> String { try single().decode(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try single().decode(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try single().decode(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try single().decode(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try single().decode(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try single().decode(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try single().decode(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try single().decode(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try single().decode(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try single().decode(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try single().decode(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try single().decode(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try single().decode(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeChecked(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let child = try next()
        return try decoder.adoptedChild(child.value, key: TreeIndexKey(currentIndex - 1)).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next().unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let child = try next()
        return decoder.adoptedChild(child.value, key: TreeIndexKey(currentIndex - 1))
    }
}

/// Reads one scalar, strictly: see `ConfigurationDecoder`.
struct TreeSingleValueContainer: SingleValueDecodingContainer {
    let decoder: TreeDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }
    private var value: ConfigurationValue { decoder.value }

    func decodeNil() -> Bool { value.isNull }

    func decode(_ type: Bool.Type) throws(ConfigurationError) -> Bool {
        guard let bool = value.boolValue else { throw decoder.mismatch(expected: "a boolean") }
        return bool
    }

    func decode(_ type: String.Type) throws(ConfigurationError) -> String {
        guard let string = value.stringValue else { throw decoder.mismatch(expected: "a string") }
        return string
    }

    func decode(_ type: Double.Type) throws(ConfigurationError) -> Double {
        guard let number = value.numberValue else { throw decoder.mismatch(expected: "a number") }
        return number
    }

    func decode(_ type: Float.Type) throws(ConfigurationError) -> Float {
        let number = try decode(Double.self)
        let float = Float(number)
        guard float.isFinite || !number.isFinite else {
            throw outOfRange("\(value)", expected: "a number within ±\(Float.greatestFiniteMagnitude)")
        }
        return float
    }

    func decode(_ type: Int.Type) throws(ConfigurationError) -> Int { try integer() }
    func decode(_ type: Int8.Type) throws(ConfigurationError) -> Int8 { try integer() }
    func decode(_ type: Int16.Type) throws(ConfigurationError) -> Int16 { try integer() }
    func decode(_ type: Int32.Type) throws(ConfigurationError) -> Int32 { try integer() }
    func decode(_ type: Int64.Type) throws(ConfigurationError) -> Int64 { try integer() }
    func decode(_ type: UInt.Type) throws(ConfigurationError) -> UInt { try integer() }
    func decode(_ type: UInt8.Type) throws(ConfigurationError) -> UInt8 { try integer() }
    func decode(_ type: UInt16.Type) throws(ConfigurationError) -> UInt16 { try integer() }
    func decode(_ type: UInt32.Type) throws(ConfigurationError) -> UInt32 { try integer() }
    func decode(_ type: UInt64.Type) throws(ConfigurationError) -> UInt64 { try integer() }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeChecked(type) }

    /// An integer, or a whole `number` such as `1e3`, that fits in `I`.
    private func integer<I: FixedWidthInteger>() throws(ConfigurationError) -> I {
        let fitting: I?
        switch value.content {
        case .integer(let integer):
            fitting = I(exactly: integer)
        case .number(let number) where number.isFinite && number.rounded() == number:
            fitting = I(exactly: number)
        default:
            throw decoder.mismatch(expected: "an integer")
        }
        guard let fitting else { throw outOfRange("\(value)", expected: "an integer from \(I.min) to \(I.max)") }
        return fitting
    }

    private func outOfRange(_ written: String, expected: String) -> ConfigurationError {
        let key = codingPath.last.map { ($0 as? TreeIndexKey).map { String($0.index) } ?? $0.stringValue } ?? ""
        return .located(
            .outOfRange(key: key, value: written, expected: expected), path: decoder.path, location: value.location)
    }
}
