import ScoreKitCore

/// Parses a delimited text file of numbers into rows, with line numbers for messages.
struct CSVReader {
    /// One data row: its 1-based line number and its values.
    struct Row {
        let line: Int
        let values: [Double]
    }

    /// The data rows, all of `columnCount` values.
    struct Table {
        var rows: [Row] = []
        var columnCount = 0
    }

    let path: String
    let delimiter: UInt8
    let header: CSVData.Header

    /// The table in `bytes`.
    /// - Throws: `DataError.malformedRow` for a value that is not a finite number or a row whose
    ///   length differs from the first row's; `malformed` for a file without data rows.
    mutating func parse(_ bytes: [UInt8]) throws(DataError) -> Table {
        var table = Table()
        var firstContent = true
        var firstDataLine = 0
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            lineNumber += 1
            var lineEnd = end
            if lineEnd > start, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            let line = bytes[start..<lineEnd]
            start = end + 1
            let trimmed = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            if trimmed.isEmpty || trimmed.first == UInt8(ascii: "#") { continue }
            let fields = line.split(separator: delimiter, omittingEmptySubsequences: false).map(Self.text)
            if firstContent {
                firstContent = false
                let isHeader: Bool
                switch header {
                case .present: isHeader = true
                case .absent: isHeader = false
                case .auto: isHeader = fields.contains { Self.number($0) == nil }
                }
                if isHeader { continue }
            }
            var values: [Double] = []
            values.reserveCapacity(fields.count)
            for (index, field) in fields.enumerated() {
                guard let value = Self.number(field) else {
                    let shown = field.isEmpty ? "an empty value" : "'\(ConfigurationLimits.shortened(field))'"
                    throw .malformedRow(
                        path: path, line: lineNumber, column: index + 1, reason: "\(shown) is not a number",
                        hint: "every value must be a number, such as 0.5 or -1e-3; only the first line may be a header")
                }
                guard value.isFinite else {
                    throw .malformedRow(
                        path: path, line: lineNumber, column: index + 1,
                        reason: "the value '\(ConfigurationLimits.shortened(field))' is not finite",
                        hint: "remove or replace non-finite values before training")
                }
                values.append(value)
            }
            if table.rows.isEmpty {
                table.columnCount = values.count
                firstDataLine = lineNumber
            } else if values.count != table.columnCount {
                throw .malformedRow(
                    path: path, line: lineNumber, column: nil,
                    reason:
                        "row has \(values.count) value\(values.count == 1 ? "" : "s"), expected \(table.columnCount) as on line \(firstDataLine)",
                    hint:
                        "every row must have the same number of values separated by '\(Character(Unicode.Scalar(delimiter)))'"
                )
            }
            table.rows.append(Row(line: lineNumber, values: values))
        }
        guard !table.rows.isEmpty else {
            throw .malformed(
                path: path, format: "CSV", reason: "the file has no data rows",
                hint: "write one sample per line, values separated by '\(Character(Unicode.Scalar(delimiter)))'")
        }
        return table
    }

    /// A field's text without surrounding spaces or double quotes.
    private static func text(_ field: ArraySlice<UInt8>) -> String {
        var slice = field
        while let first = slice.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { slice.removeFirst() }
        while let last = slice.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { slice.removeLast() }
        if slice.count >= 2, slice.first == UInt8(ascii: "\""), slice.last == UInt8(ascii: "\"") {
            slice = slice.dropFirst().dropLast()
        }
        return String(decoding: slice, as: UTF8.self)
    }

    /// The number `text` spells, or `nil` (Swift's parser: `1`, `-0.5`, `1e-3`, `nan`, `inf`).
    private static func number(_ text: String) -> Double? {
        text.isEmpty ? nil : Double(text)
    }
}
