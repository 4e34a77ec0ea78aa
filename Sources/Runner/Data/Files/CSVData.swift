public import ScoreKitCore

/// Samples from a text file of numbers: one sample per line, values separated by `delimiter`.
///
/// ```yaml
/// data: { kind: csv, path: data/points.csv, labelColumn: last, labelled: true }
/// ```
/// Empty lines and lines starting with `#` are skipped. With `header: auto`, a first line that
/// is not all numbers is a header. `labelColumn` names a column of class indices (whole numbers
/// ≥ 0), taken out of the samples. An error names the file, the line and the column.
public struct CSVData: DataSource {
    /// Whether the first line names the columns.
    public enum Header: String, Codable, Sendable, CaseIterable {
        /// A header when the first line does not parse as numbers.
        case auto
        /// The first line is a header.
        case present
        /// Every line is data.
        case absent
    }

    /// Which column holds labels.
    public enum LabelColumn: String, Codable, Sendable, CaseIterable {
        /// No label column.
        case none
        /// The first column.
        case first
        /// The last column.
        case last
    }

    /// The recipe keys of this data set, with their defaults.
    public struct Configuration: ComponentConfiguration, Equatable {
        /// The text file.
        public var path = ""
        /// Whether the first line is a header.
        public var header = Header.auto
        /// The column of labels, if any.
        public var labelColumn = LabelColumn.none
        /// The one character between values.
        public var delimiter = ","

        public init() {}

        public func validate() throws(ConfigurationError) {
            try DataFileChecks.validatePath(path, key: "path", what: "a CSV file")
            guard delimiter.count == 1, delimiter.utf8.count == 1, delimiter != "\n", delimiter != "#" else {
                throw .outOfRange(
                    key: "delimiter", value: "\"\(delimiter)\"", expected: "one ASCII character, such as \",\" or \";\""
                )
            }
        }
    }

    /// The settings it was made from.
    public let configuration: Configuration

    /// The data set these settings describe.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public var providesLabels: Bool { configuration.labelColumn != .none }

    public func load(seed: UInt64) throws(DataError) -> DataSet {
        let c = configuration
        let bytes = try DataError.readFile(c.path, role: "CSV file")
        var reader = CSVReader(path: c.path, delimiter: c.delimiter.utf8.first ?? UInt8(ascii: ","), header: c.header)
        let table = try reader.parse(bytes)
        let width = table.columnCount - (providesLabels ? 1 : 0)
        guard width >= 1 else {
            throw .malformed(
                path: c.path, format: "CSV", reason: "the rows have only a label column",
                hint: "a row holds a sample's values, and a label when labelColumn is first or last")
        }
        let labelIndex = c.labelColumn == .first ? 0 : table.columnCount - 1
        let rowCount = table.rows.count
        var labels: [Int] = []
        let samples = Tensor(shape: [rowCount, width]) { out in
            for (r, row) in table.rows.enumerated() {
                var j = 0
                for (k, value) in row.values.enumerated() where !(providesLabels && k == labelIndex) {
                    out[r * width + j] = Float(value)
                    j += 1
                }
            }
        }
        if providesLabels {
            for row in table.rows {
                let value = row.values[labelIndex]
                guard value >= 0, value == value.rounded(), value < Double(1 << 24) else {
                    throw .malformedRow(
                        path: c.path, line: row.line, column: labelIndex + 1,
                        reason: "the label \(value) is not a class index",
                        hint: "labels are whole numbers 0, 1, 2, … (labelColumn: \(c.labelColumn.rawValue))")
                }
                labels.append(Int(value))
            }
        }
        return providesLabels
            ? DataSet(samples: samples, labels: labels, classCount: (labels.max() ?? -1) + 1)
            : DataSet(samples: samples)
    }
}

extension CSVData: RegisteredComponent {
    public static let id: ComponentID = "csv"
    public static let summary = "Samples from a text file of numbers (optional header and label column)"
}
