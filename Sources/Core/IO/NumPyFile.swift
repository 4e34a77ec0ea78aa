import Foundation

/// NumPy's `.npy` format (version 1.0 written; 1.0–3.0 read), the interchange for samples and data.
///
/// Reads little-endian float32, float64, int8–int64, uint8–uint64 and bool arrays in C order,
/// converting to Float32. Writes float32, C order. See numpy.lib.format.
public enum NumPyFile {
    /// The array in the file at `path`.
    public static func read(_ path: String) throws(TensorFileError) -> Tensor {
        try decode(FileIO.read(path), path: path)
    }

    /// Writes `tensor` as a float32 `.npy` file, atomically.
    public static func write(_ tensor: Tensor, to path: String) throws(TensorFileError) {
        try FileIO.writeAtomically(encode(tensor), to: path)
    }

    /// The `.npy` bytes of `tensor` (float32, C order).
    public static func encode(_ tensor: Tensor) -> [UInt8] {
        let shapeText: String
        switch tensor.rank {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(tensor.shape[0]),)"
        default: shapeText = "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let length = UInt16(header.utf8.count)
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
        bytes += Array(header.utf8)
        tensor.withUnsafeBufferPointer { values in
            for v in values {
                let bits = v.bitPattern.littleEndian
                bytes += [UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF), UInt8(bits >> 24)]
            }
        }
        return bytes
    }

    /// The array in the file at `path`, refused when a value is NaN or infinite (see
    /// `requireFinite(_:path:)`): for inputs such as `sample --init` and `likelihood --input`,
    /// where one such value would silently spoil every result computed from it.
    public static func readFinite(_ path: String) throws(TensorFileError) -> Tensor {
        let tensor = try read(path)
        try requireFinite(tensor, path: path)
        return tensor
    }

    /// Throws `TensorFileError.nonFinite` naming the row (first axis) and column (position
    /// within the row, C order) of the first NaN or infinite value of `tensor`.
    public static func requireFinite(_ tensor: Tensor, path: String) throws(TensorFileError) {
        guard let bad = tensor.withUnsafeBufferPointer({ values in values.firstIndex { !$0.isFinite } }) else {
            return
        }
        let width = tensor.rank == 0 || tensor.shape[0] == 0 ? 1 : max(tensor.scalarCount / tensor.shape[0], 1)
        let value = tensor.withUnsafeBufferPointer { $0[bad] }
        throw .nonFinite(path: path, row: bad / width, column: bad % width, value: value)
    }

    /// The array in `.npy` bytes; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(TensorFileError) -> Tensor {
        func malformed(_ reason: String) -> TensorFileError { .malformed(path: path, format: ".npy", reason: reason) }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw malformed("it does not start with the .npy magic string")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw malformed("the header length is cut off") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw .unsupported(
                path: path, format: ".npy", reason: "format version \(major).\(bytes[7])",
                hint: "save with numpy.save (versions 1.0–3.0)")
        }
        guard bytes.count - headerStart >= headerLength else { throw malformed("the header is cut off") }
        guard let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: .utf8) else {
            throw malformed("the header is not text")
        }
        let fields = try parseHeader(header, malformed: malformed)
        if fields.fortranOrder {
            throw .unsupported(
                path: path, format: ".npy", reason: "the array is in Fortran order",
                hint: "save numpy.ascontiguousarray(a) instead")
        }
        guard let type = ElementType(descr: fields.descr) else {
            throw .unsupported(
                path: path, format: ".npy", reason: "element type '\(fields.descr)'",
                hint: "convert with a.astype('<f4') before saving")
        }
        let start = headerStart + headerLength
        guard let sizes = FileSizes.byteCount(shape: fields.shape, elementSize: type.size) else {
            throw malformed(
                "the shape \(FileSizes.describe(fields.shape)) has more elements than fit in memory; "
                    + "the file has \(bytes.count - start) data bytes")
        }
        let (count, byteCount) = sizes
        guard bytes.count - start == byteCount else {
            throw malformed(
                "the shape \(fields.shape) needs \(byteCount) data bytes, the file has \(bytes.count - start)")
        }
        return Tensor(shape: fields.shape) { out in
            bytes.withUnsafeBytes { raw in
                for i in 0..<count { out[i] = type.load(raw, at: start + i * type.size) }
            }
        }
    }

    private static func parseHeader(
        _ header: String, malformed: (String) -> TensorFileError
    ) throws(TensorFileError) -> (descr: String, fortranOrder: Bool, shape: [Int]) {
        func value(of key: String) -> Substring? {
            guard let range = header.range(of: "'\(key)':") else { return nil }
            return header[range.upperBound...].drop { $0 == " " }
        }
        guard let descrText = value(of: "descr"), descrText.first == "'",
            let end = descrText.dropFirst().firstIndex(of: "'")
        else { throw malformed("the header has no 'descr'") }
        let descr = String(descrText[descrText.index(after: descrText.startIndex)..<end])
        guard let orderText = value(of: "fortran_order") else { throw malformed("the header has no 'fortran_order'") }
        let fortran = orderText.hasPrefix("True")
        guard let shapeText = value(of: "shape"), shapeText.first == "(", let close = shapeText.firstIndex(of: ")")
        else {
            throw malformed("the header has no 'shape'")
        }
        let inner = shapeText[shapeText.index(after: shapeText.startIndex)..<close]
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let d = Int(trimmed), d >= 0 else {
                throw malformed("the shape '(\(inner))' is not a tuple of sizes")
            }
            shape.append(d)
        }
        return (descr, fortran, shape)
    }

    /// The element types read, with their little-endian decoding.
    private enum ElementType {
        case float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, bool

        init?(descr: String) {
            switch descr {
            case "<f4": self = .float32
            case "<f8": self = .float64
            case "|i1", "<i1": self = .int8
            case "<i2": self = .int16
            case "<i4": self = .int32
            case "<i8": self = .int64
            case "|u1", "<u1": self = .uint8
            case "<u2": self = .uint16
            case "<u4": self = .uint32
            case "<u8": self = .uint64
            case "|b1": self = .bool
            default: return nil
            }
        }

        var size: Int {
            switch self {
            case .int8, .uint8, .bool: return 1
            case .int16, .uint16: return 2
            case .float32, .int32, .uint32: return 4
            case .float64, .int64, .uint64: return 8
            }
        }

        func load(_ raw: UnsafeRawBufferPointer, at offset: Int) -> Float {
            switch self {
            case .float32:
                return Float(
                    bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            case .float64:
                return Float(
                    Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                )
            case .int8: return Float(raw.loadUnaligned(fromByteOffset: offset, as: Int8.self))
            case .int16: return Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int16.self)))
            case .int32: return Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
            case .int64: return Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
            case .uint8, .bool: return Float(raw[offset])
            case .uint16: return Float(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
            case .uint32: return Float(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            case .uint64: return Float(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            }
        }
    }
}
