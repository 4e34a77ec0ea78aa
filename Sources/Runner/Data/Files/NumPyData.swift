public import ScoreKitCore

/// Samples from a NumPy `.npy` file: one sample per row of the first axis.
///
/// ```yaml
/// data: { kind: npy, path: data/points.npy, labelsPath: data/labels.npy, labelled: true }
/// ```
/// float32 or float64 (and integer types), C order, read by Core's `NumPyFile`; an array
/// `[N, …]` is flattened to `[N, D]`. `labelsPath`, when given, is a `.npy` of N whole numbers
/// ≥ 0. Paths are relative to the current folder.
public struct NumPyData: DataSource {
    /// The recipe keys of this data set, with their defaults.
    public struct Configuration: ComponentConfiguration, Equatable {
        /// The `.npy` file of samples.
        public var path = ""
        /// A `.npy` file of one label per sample; empty for none.
        public var labelsPath = ""

        public init() {}

        public func validate() throws(ConfigurationError) {
            try DataFileChecks.validatePath(path, key: "path", what: "a .npy file of samples")
        }
    }

    /// The settings it was made from.
    public let configuration: Configuration

    /// The data set these settings describe.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public var providesLabels: Bool { !configuration.labelsPath.isEmpty }

    public func load(seed: UInt64) throws(DataError) -> DataSet {
        let path = configuration.path
        let samples = try DataFileChecks.flattened(
            try DataError.readNumPy(path, role: ".npy data file"), path: path, format: ".npy")
        try DataFileChecks.requireFinite(samples, path: path, format: ".npy")
        guard providesLabels else { return DataSet(samples: samples) }
        let labelsPath = configuration.labelsPath
        let values = try DataError.readNumPy(labelsPath, role: ".npy labels file")
        guard values.rank == 1 || (values.rank == 2 && values.shape[1] == 1) else {
            throw .invalidLabels(
                path: labelsPath, reason: "expected one label per sample, found an array of shape \(values.shape)")
        }
        let (labels, classCount) = try DataFileChecks.labels(
            values.scalars, path: labelsPath, sampleCount: samples.shape[0])
        return DataSet(samples: samples, labels: labels, classCount: classCount)
    }
}

extension NumPyData: RegisteredComponent {
    public static let id: ComponentID = "npy"
    public static let summary = "Samples from a .npy file (float32/float64, C order), labels from another"
}
