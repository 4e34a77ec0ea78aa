import Foundation

/// The safetensors format (Hugging Face): named tensors and string metadata, for checkpoints
/// and weights shared with PyTorch and JAX.
///
/// ```
/// [8-byte little-endian header length N][N bytes of JSON header][raw little-endian data]
/// header: {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}
/// ```
/// Reads F32, F64, F16, BF16, I64, I32, I16, I8, U8 and BOOL (converted to Float32); writes F32.
public struct SafeTensorsFile: Sendable {
    /// The tensors, by name.
    public var tensors: [String: Tensor]
    /// The string metadata (`__metadata__`).
    public var metadata: [String: String]

    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The tensor called `name`; `path` names the file in the error.
    public func tensor(_ name: String, path: String = "safetensors") throws(TensorFileError) -> Tensor {
        guard let t = tensors[name] else {
            throw .missingTensor(path: path, name: name, available: Array(tensors.keys))
        }
        return t
    }

    /// Reads the file at `path`.
    public static func read(_ path: String) throws(TensorFileError) -> SafeTensorsFile {
        try decode(FileIO.read(path), path: path)
    }

    /// Writes the file to `path` atomically (a temporary file renamed into place).
    public func write(to path: String) throws(TensorFileError) {
        try FileIO.writeAtomically(encoded(), to: path)
    }

    /// The file's bytes, tensors sorted by name, header padded to 8 bytes.
    public func encoded() -> [UInt8] {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let t = tensors[name]!
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.scalarCount]]
            offset += 4 * t.scalarCount
        }
        var json =
            (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])).map { [UInt8]($0) } ?? []
        json += [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + json.count + offset)
        let n = UInt64(json.count)
        for i in 0..<8 { bytes.append(UInt8((n >> (8 * UInt64(i))) & 0xFF)) }
        bytes += json
        for name in names {
            tensors[name]!.withUnsafeBufferPointer { values in
                for v in values {
                    let b = v.bitPattern.littleEndian
                    bytes += [UInt8(b & 0xFF), UInt8((b >> 8) & 0xFF), UInt8((b >> 16) & 0xFF), UInt8(b >> 24)]
                }
            }
        }
        return bytes
    }

    /// Parses safetensors bytes; `path` names the source in errors.
    ///
    /// Every entry is checked before any tensor is allocated: a known dtype, sizes whose product
    /// fits (`multipliedReportingOverflow`), a byte range that lies within the file, matches the
    /// shape and overlaps no other tensor's; a key written twice in the header is an error too
    /// (JSON readers would silently keep one of them).
    public static func decode(_ bytes: [UInt8], path: String) throws(TensorFileError) -> SafeTensorsFile {
        func malformed(_ reason: String) -> TensorFileError {
            .malformed(path: path, format: "safetensors", reason: reason)
        }
        guard bytes.count >= 8 else { throw malformed("the file is shorter than its 8-byte header length") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8) else {
            throw malformed("the header length \(n) exceeds the file size \(bytes.count)")
        }
        let dataStart = 8 + Int(n)
        if let duplicate = SafeTensorsHeaderKeys.firstDuplicate(in: bytes[8..<dataStart]) {
            let place = duplicate.tensor.map { " in the entry for tensor '\($0)'" } ?? ""
            throw malformed("the header has the key '\(duplicate.key)' twice\(place)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart])),
            let header = object as? [String: Any]
        else { throw malformed("the header is not a JSON object") }
        var file = SafeTensorsFile()
        if let meta = header["__metadata__"] {
            guard let strings = meta as? [String: String] else {
                throw malformed("__metadata__ is not a map of strings")
            }
            file.metadata = strings
        }
        let dataCount = bytes.count - dataStart
        var entries: [(name: String, type: ElementType, shape: [Int], range: Range<Int>, count: Int)] = []
        for (name, entry) in header where name != "__metadata__" {
            guard let info = entry as? [String: Any], let dtype = info["dtype"] as? String,
                let shapeValues = info["shape"] as? [Any], let offsetValues = info["data_offsets"] as? [Any],
                offsetValues.count == 2
            else { throw malformed("the entry for '\(name)' lacks dtype, shape or data_offsets") }
            guard let type = ElementType(rawValue: dtype) else {
                throw .unsupported(
                    path: path, format: "safetensors", reason: "tensor '\(name)' has the unknown dtype '\(dtype)'",
                    hint:
                        "ScoreKit reads \(ElementType.allCases.map(\.rawValue).joined(separator: ", ")); store it as F32"
                )
            }
            let shapeSizes = shapeValues.map(wholeNumber)
            guard shapeSizes.allSatisfy({ $0 != nil }) else {
                throw malformed("tensor '\(name)' has a shape that is not a list of whole numbers")
            }
            let shape = shapeSizes.compactMap { $0 }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw malformed("tensor '\(name)' has a negative dimension") }
            guard let sizes = FileSizes.byteCount(shape: shape, elementSize: type.size) else {
                throw malformed(
                    "tensor '\(name)' has the shape \(FileSizes.describe(shape)), more bytes than fit in memory; "
                        + "the file has \(dataCount) data bytes")
            }
            guard let begin = wholeNumber(offsetValues[0]), let end = wholeNumber(offsetValues[1]) else {
                throw malformed("tensor '\(name)' has data_offsets that are not whole numbers")
            }
            guard begin >= 0, end >= begin else {
                throw malformed("tensor '\(name)' has the data range \(begin)..<\(end), which ends before it begins")
            }
            guard end <= dataCount else {
                throw malformed(
                    "tensor '\(name)' claims bytes \(begin)..<\(end), beyond the \(dataCount) data bytes of the file")
            }
            let (count, byteCount) = sizes
            guard end - begin == byteCount else {
                throw malformed(
                    "tensor '\(name)' (\(dtype) \(shape)) claims bytes \(begin)..<\(end) of \(dataCount) data bytes; "
                        + "its shape needs \(byteCount)")
            }
            entries.append((name, type, shape, begin..<end, count))
        }
        let ordered = entries.sorted { ($0.range.lowerBound, $0.name) < ($1.range.lowerBound, $1.name) }
        for (earlier, later) in zip(ordered, ordered.dropFirst())
        where !later.range.isEmpty && later.range.lowerBound < earlier.range.upperBound {
            throw malformed(
                "the data of tensors '\(earlier.name)' (bytes \(earlier.range.lowerBound)..<\(earlier.range.upperBound)) "
                    + "and '\(later.name)' (bytes \(later.range.lowerBound)..<\(later.range.upperBound)) overlap")
        }
        for entry in entries {
            let (type, begin, count) = (entry.type, entry.range.lowerBound, entry.count)
            file.tensors[entry.name] = Tensor(shape: entry.shape) { out in
                bytes.withUnsafeBytes { raw in
                    for i in 0..<count { out[i] = type.load(raw, at: dataStart + begin + i * type.size) }
                }
            }
        }
        return file
    }

    /// A JSON number that is a whole number within `Int`, or `nil` (a fraction, a string, 1e30).
    private static func wholeNumber(_ value: Any) -> Int? {
        guard let number = value as? NSNumber else { return nil }
        let double = number.doubleValue
        guard double.isFinite, double.rounded() == double, abs(double) < 9.0e18 else { return nil }
        return number.intValue
    }

    private enum ElementType: String, CaseIterable {
        case f32 = "F32", f64 = "F64", f16 = "F16", bf16 = "BF16", i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
        case u8 = "U8", bool = "BOOL"

        var size: Int {
            switch self {
            case .f64, .i64: return 8
            case .f32, .i32: return 4
            case .f16, .bf16, .i16: return 2
            case .i8, .u8, .bool: return 1
            }
        }

        func load(_ raw: UnsafeRawBufferPointer, at offset: Int) -> Float {
            switch self {
            case .f32:
                return Float(
                    bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            case .f64:
                return Float(
                    Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                )
            case .f16:
                let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
                return SafeTensorsFile.halfToFloat(bits)
            case .bf16:
                let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
                return Float(bitPattern: UInt32(bits) << 16)
            case .i64: return Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
            case .i32: return Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
            case .i16: return Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int16.self)))
            case .i8: return Float(raw.loadUnaligned(fromByteOffset: offset, as: Int8.self))
            case .u8, .bool: return Float(raw[offset])
            }
        }
    }

    /// IEEE half → single, including subnormals, infinities and NaN.
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign: Float = (h & 0x8000) != 0 ? -1 : 1
        let exponent = Int((h >> 10) & 0x1F)
        let fraction = Float(h & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}
