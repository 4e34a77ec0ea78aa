public import ScoreKitCore

/// Data that cannot be read or used as the recipe says: thrown, never printed.
///
/// Each message is one paragraph naming the file and what is wrong, as a compiler would:
/// ```
/// data/points.csv:17: error: row 17 has 3 values, expected 2 as in the first data row
///   every row must have the same number of comma-separated numbers
/// ```
public enum DataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A `.npy` file (or another tensor file) that cannot be read: the reader's own error.
    case tensorFile(TensorFileError)
    /// No file at `path`.
    case fileNotFound(path: String, role: String)
    /// A file that exists but cannot be read.
    case unreadable(path: String, reason: String)
    /// A text file with a bad row: `line` is 1-based, `column` (1-based field) when known.
    case malformedRow(path: String, line: Int, column: Int?, reason: String, hint: String)
    /// A binary or text file whose structure is wrong for `format`.
    case malformed(path: String, format: String, reason: String, hint: String)
    /// Labels that are not whole numbers ≥ 0, or not one per sample.
    case invalidLabels(path: String, reason: String)
    /// Fewer samples than the split or the training needs.
    case tooFewSamples(source: String, count: Int, needed: String)

    public var description: String {
        let (prefix, headline, notes): (String, String, [String])
        switch self {
        case .tensorFile(let error):
            return error.description
        case .fileNotFound(let path, let role):
            (prefix, headline, notes) = (
                path, "no \(role) at this path", ["paths in a recipe are read relative to the current folder"]
            )
        case .unreadable(let path, let reason):
            (prefix, headline, notes) = (path, "cannot read the file: \(reason)", [])
        case .malformedRow(let path, let line, let column, let reason, let hint):
            (prefix, headline, notes) = (column.map { "\(path):\(line):\($0)" } ?? "\(path):\(line)", reason, [hint])
        case .malformed(let path, let format, let reason, let hint):
            (prefix, headline, notes) = (path, "not a valid \(format) file: \(reason)", [hint])
        case .invalidLabels(let path, let reason):
            (prefix, headline, notes) = (path, "invalid labels: \(reason)", ["labels are class indices 0, 1, 2, …"])
        case .tooFewSamples(let source, let count, let needed):
            (prefix, headline, notes) = (
                source, "the data set has \(count) sample\(count == 1 ? "" : "s"); \(needed)",
                ["give more samples (data.count for generated sets) or lower data.heldOutFraction"]
            )
        }
        return ([prefix + ": error: " + headline] + notes.filter { !$0.isEmpty }).joined(separator: "\n  ")
    }
}

extension DataError {
    /// Reads the whole file at `path`, with this module's errors (`role` names it: "CSV file").
    static func readFile(_ path: String, role: String) throws(DataError) -> [UInt8] {
        do {
            return try FileIO.read(path)
        } catch {
            if case .unreadable(_, let reason) = error, reason == "no such file" {
                throw .fileNotFound(path: path, role: role)
            }
            if case .unreadable(_, let reason) = error { throw .unreadable(path: path, reason: reason) }
            throw .tensorFile(error)
        }
    }

    /// Reads a `.npy` file, a missing file reported as such.
    static func readNumPy(_ path: String, role: String) throws(DataError) -> Tensor {
        let bytes = try readFile(path, role: role)
        do {
            return try NumPyFile.decode(bytes, path: path)
        } catch {
            throw .tensorFile(error)
        }
    }
}
