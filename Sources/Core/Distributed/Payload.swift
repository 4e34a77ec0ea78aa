/// Bytes for `Collectives.exchange`: numbers and tensors appended in order, read back in the
/// same order. Values keep their bits (little-endian, as every platform ScoreKit runs on), so
/// what a rank computed arrives unchanged.
///
/// ```swift
/// var payload = Payload()
/// payload.append(tensor); payload.append(count)
/// var reader = PayloadReader(bytes); let t = try reader.tensor(); let n = try reader.integer()
/// ```
public struct Payload: Sendable {
    /// The bytes so far.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Appends an integer (64 bits).
    public mutating func append(_ value: Int) {
        withUnsafeBytes(of: Int64(value).littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends a count and the values' bits.
    public mutating func append(_ values: [Float]) {
        append(values.count)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    /// Appends a count and the values' bits.
    public mutating func append(_ values: [Double]) {
        append(values.count)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    /// Appends a count and the integers.
    public mutating func append(_ values: [Int]) {
        append(values.count)
        for value in values { append(value) }
    }

    /// Appends a count and the text's UTF-8 bytes.
    public mutating func append(_ text: String) {
        let utf8 = Array(text.utf8)
        append(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    /// Appends a tensor's shape and scalars.
    public mutating func append(_ tensor: Tensor) {
        append(tensor.shape)
        appendScalars(of: tensor)
    }

    /// Appends a count and a tensor's scalars, without its shape (read back with
    /// `PayloadReader.scalars(shape:)`, when the reader knows the shape).
    public mutating func appendScalars(of tensor: Tensor) {
        append(tensor.scalarCount)
        tensor.withUnsafeBufferPointer { bytes.append(contentsOf: UnsafeRawBufferPointer($0)) }
    }
}

/// Reads what a `Payload` wrote, in the same order.
public struct PayloadReader {
    private let bytes: [UInt8]
    private var offset = 0

    /// A reader at the start of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Whether every byte was read.
    public var isAtEnd: Bool { offset == bytes.count }

    /// The next integer.
    public mutating func integer() throws(PayloadError) -> Int {
        let raw = try take(8)
        var value: Int64 = 0
        withUnsafeMutableBytes(of: &value) { target in
            for i in 0..<8 { target[i] = raw[raw.startIndex + i] }
        }
        return Int(Int64(littleEndian: value))
    }

    /// The next float array.
    public mutating func floats() throws(PayloadError) -> [Float] {
        try values(Float.self)
    }

    /// The next double array.
    public mutating func doubles() throws(PayloadError) -> [Double] {
        try values(Double.self)
    }

    /// The next integer array.
    public mutating func integers() throws(PayloadError) -> [Int] {
        let count = try integer()
        guard count >= 0, count <= (bytes.count - offset) / 8 else { throw .truncated }
        var result: [Int] = []
        result.reserveCapacity(count)
        for _ in 0..<count { result.append(try integer()) }
        return result
    }

    /// The next text.
    public mutating func text() throws(PayloadError) -> String {
        let count = try integer()
        guard count >= 0 else { throw .truncated }
        return String(decoding: try take(count), as: UTF8.self)
    }

    /// The next tensor.
    public mutating func tensor() throws(PayloadError) -> Tensor {
        let shape = try integers()
        guard shape.allSatisfy({ $0 >= 0 }) else { throw .truncated }
        return try scalars(shape: shape)
    }

    /// The next scalars (`Payload.appendScalars(of:)`) as a tensor of `shape`, copied once.
    public mutating func scalars(shape: [Int]) throws(PayloadError) -> Tensor {
        let count = try integer()
        guard count >= 0, count == shape.reduce(1, *), count <= (bytes.count - offset) / 4 else {
            throw .truncated
        }
        let raw = try take(count * 4)
        return Tensor(shape: shape) { buffer in
            raw.withUnsafeBytes { source in UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source) }
        }
    }

    private mutating func values<T: BinaryFloatingPoint>(_: T.Type) throws(PayloadError) -> [T] {
        let count = try integer()
        let width = MemoryLayout<T>.size
        guard count >= 0, count <= (bytes.count - offset) / width else { throw .truncated }
        let raw = try take(count * width)
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            raw.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
            }
            initialized = count
        }
    }

    private mutating func take(_ count: Int) throws(PayloadError) -> ArraySlice<UInt8> {
        guard count >= 0, bytes.count - offset >= count else { throw .truncated }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }
}

/// A payload ended before what was read from it: the ranks disagree on what they exchange.
public enum PayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    case truncated

    public var description: String {
        "a rank's message is shorter than what was read from it (the ranks do not run the same command)"
    }
}
