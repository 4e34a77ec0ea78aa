public import ScoreKitCore

/// Where training data comes from: a generator (the ring, two moons, a Gaussian mixture, …) or
/// a file (`.npy`, `.csv`, IDX).
///
/// A source only produces the raw samples; the settings every data set shares (its seed,
/// labels, the held-out split, standardisation) are `DataSettings`, applied by
/// `TrainingData.prepare(_:)`. Register a source with `ComponentRegistry.register(data:)`;
/// its `Configuration` keys and `DataSettings`' keys then share the recipe's `data:` mapping.
///
/// ```swift
/// struct Blobs: DataSource, RegisteredComponent { … }
/// registry.register(data: Blobs.self)
/// ```
public protocol DataSource: Sendable {
    /// Whether `load(seed:)` gives a class label per sample (a mixture component, a moon, a
    /// file's label column), so that `labelled: true` can be asked for.
    var providesLabels: Bool { get }

    /// What each sample is, known before loading: vectors, images of a shape, or what the
    /// file says. Recipe checks read it (`unet` needs images); the default is `.vectors`.
    var sampleLayout: SampleLayout { get }

    /// The samples `[N, D]` (files with more axes are flattened per sample) and, when
    /// `providesLabels`, their labels. Generated sets draw sample i from the i-th stream of
    /// `seed`, so the first n samples do not depend on how many are drawn.
    /// - Throws: `DataError` for a missing, unreadable or malformed file.
    func load(seed: UInt64) throws(DataError) -> DataSet

    /// `[N, D]` as the configuration fixes it, known before loading, so the memory a run needs
    /// is estimated before anything is drawn; `nil` (the default) when only the file knows.
    var declaredShape: [Int]? { get }
}

extension DataSource {
    /// Vectors, unless the source says otherwise.
    public var sampleLayout: SampleLayout { .vectors }

    /// Unknown until loaded.
    public var declaredShape: [Int]? { nil }
}

/// What a data source's samples are, as far as its configuration tells before any loading.
public enum SampleLayout: Sendable, Equatable {
    /// Rows of D values (generated points, `.npy` and `.csv` rows).
    case vectors
    /// Images `[C, H, W]`, stored as rows of C·H·W values (the built-in digits: [1, 8, 8]).
    case images(shape: [Int])
    /// Known when the file is read: IDX files of bytes [N, H, W] are images, others vectors.
    case determinedByFile
}

/// Samples, with class labels when the source has them.
public struct DataSet: Sendable, Equatable {
    /// The samples, `[N, D]`.
    public var samples: Tensor
    /// One class label in `0..<classCount` per sample, or `nil`.
    public var labels: [Int]?
    /// The number of classes (0 without labels).
    public var classCount: Int
    /// The image layout when each row is an image `[C, H, W]` flattened (NCHW order), else `nil`.
    public var image: ImageFormat?

    /// A data set of `samples` `[N, D]` and optional `labels` in `0..<classCount`; `image` when
    /// each row is an image of D = C·H·W values.
    public init(samples: Tensor, labels: [Int]? = nil, classCount: Int = 0, image: ImageFormat? = nil) {
        precondition(samples.rank == 2, "data samples are [N, D], got \(samples.shape)")
        precondition(labels.map { $0.count == samples.shape[0] } ?? true, "one label per sample")
        precondition(image.map { $0.dimension == samples.shape[1] } ?? true, "an image row has C·H·W values")
        self.samples = samples
        self.labels = labels
        self.classCount = labels == nil ? 0 : classCount
        self.image = image
    }

    /// N, the number of samples.
    public var count: Int { samples.shape[0] }

    /// D, the number of values per sample.
    public var dimension: Int { samples.shape[1] }

    /// The samples at `rows`, in that order, with their labels.
    public func subset(_ rows: [Int]) -> DataSet {
        DataSet(
            samples: samples.gathering(rows: rows), labels: labels.map { l in rows.map { l[$0] } },
            classCount: classCount, image: image)
    }

    /// The same samples without labels.
    public var unlabelled: DataSet { DataSet(samples: samples, image: image) }

    /// The samples as images `[N, C, H, W]`, or `nil` when they are not images.
    public var images: Tensor? { image.map { samples.reshaped([count] + $0.shape) } }
}

/// A recipe's `data:` section made: the source and the settings every data set shares.
public struct DataSpecification: Sendable {
    /// The id the section named (`ring`, `csv`, …).
    public var id: ComponentID
    /// The generator or file reader.
    public var source: any DataSource
    /// Seed, labels, split and standardisation.
    public var settings: DataSettings

    /// A specification of `source` with `settings`.
    public init(id: ComponentID, source: any DataSource, settings: DataSettings) {
        self.id = id
        self.source = source
        self.settings = settings
    }
}

extension ComponentKind where Product == DataSpecification {
    /// Data sets: the `data:` section of a recipe. Messages call a member a "data set"
    /// (`unknown data set 'rng'`); listings show the family as `data`, its recipe key.
    public static var data: Self { Self("data set") }
}

extension ComponentRegistry {
    /// Registers a data source; its keys and `DataSettings`' keys share the `data:` mapping.
    public mutating func register<C: DataSource & RegisteredComponent>(data: C.Type) {
        register(DataSection<C>.self, as: .data) { $0.specification }
    }

    /// Registers every built-in data set: the 2-D generators, exact Gaussian mixtures, the
    /// `.npy`, `.csv` and IDX readers and the handwritten digits. Called once by the composition root.
    public mutating func registerDataSets() {
        register(data: RingData.self)
        register(data: GridData.self)
        register(data: GaussianMixtureData.self)
        register(data: TwoMoonsData.self)
        register(data: SwissRollData.self)
        register(data: ConcentricRingsData.self)
        register(data: CheckerboardData.self)
        register(data: PinwheelData.self)
        register(data: SpiralsData.self)
        register(data: NumPyData.self)
        register(data: CSVData.self)
        register(data: IDXData.self)
        register(data: DigitsData.self)
    }
}
