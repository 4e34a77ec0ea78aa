/// Why a tensor file (`.npy`, `.safetensors`) could not be read or written.
public enum TensorFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// The file could not be written.
    case unwritable(path: String, reason: String)
    /// The bytes are not a valid file of the format.
    case malformed(path: String, format: String, reason: String)
    /// A valid file holds something ScoreKit does not read (a dtype, Fortran order).
    case unsupported(path: String, format: String, reason: String, hint: String)
    /// A safetensors file lacks a tensor that was asked for.
    case missingTensor(path: String, name: String, available: [String])
    /// An input file holds NaN or an infinity at `row` (first axis) and `column` (from 0).
    case nonFinite(path: String, row: Int, column: Int, value: Float)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "\(path): error: cannot read the file: \(reason)"
        case let .unwritable(path, reason):
            return "\(path): error: cannot write the file: \(reason)"
        case let .malformed(path, format, reason):
            return
                "\(path): error: not a valid \(format) file: \(reason)\n  the file may be truncated or corrupted; write it again"
        case let .unsupported(path, format, reason, hint):
            return "\(path): error: unsupported \(format) file: \(reason)\n  hint: \(hint)"
        case let .missingTensor(path, name, available):
            let list = available.isEmpty ? "none" : available.sorted().joined(separator: ", ")
            return "\(path): error: no tensor named '\(name)'\n  tensors in the file: \(list)"
        case let .nonFinite(path, row, column, value):
            return
                "\(path): error: row \(row), column \(column) (counting from 0) is \(value); every value must be finite"
                + "\n  remove or replace the rows with NaN or infinite values"
        }
    }
}
