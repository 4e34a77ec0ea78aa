public import ScoreKitCore

/// The built-in handwritten digits: 1,797 grayscale images of 8 × 8 pixels with values 0–16
/// and labels 0–9, as scikit-learn's `load_digits` ships them (the test set of the UCI "Optical
/// Recognition of Handwritten Digits" data, E. Alpaydin and C. Kaynak 1998, CC BY 4.0; see
/// `Digits/README.md`).
///
/// ```yaml
/// data: { kind: digits, labelled: true, heldOutFraction: 0.1 }   # [−1, 1], 10 classes
/// ```
/// Samples are `[1797, 64]` rows of `[1, 8, 8]` images (`DataSet.image`), pixel level b scaled
/// by `scaling` (default `symmetric`: 2b/16 − 1 ∈ [−1, 1]); `dequantization: uniform` adds
/// U[−½, ½) to each level first (bin width 1/8 in [−1, 1]). The data ship inside the package,
/// so nothing is downloaded.
public struct DigitsData: DataSource {
    /// The recipe keys of this data set, with their defaults.
    public struct Configuration: ComponentConfiguration, Equatable {
        /// How pixel levels 0–16 become values.
        public var scaling = PixelScaling.symmetric
        /// Uniform noise within each level's bin (for likelihoods), or none.
        public var dequantization = Dequantization.none

        public init() {}
    }

    /// Images, samples and pixel levels.
    public static let imageCount = 1_797
    /// The number of pixel levels, 0…16.
    public static let levelCount = 17

    /// The settings it was made from.
    public let configuration: Configuration

    /// The data set these settings describe.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public var providesLabels: Bool { true }

    /// Images [1, 8, 8].
    public var sampleLayout: SampleLayout { .images(shape: [1, 8, 8]) }

    public var declaredShape: [Int]? { [Self.imageCount, 64] }

    /// The image layout: one channel of 8 × 8, 17 levels, scaled as configured.
    public var format: ImageFormat {
        ImageFormat(shape: [1, 8, 8], levelCount: Self.levelCount, scaling: configuration.scaling)
    }

    public func load(seed: UInt64) throws(DataError) -> DataSet {
        let (levels, labels) = Self.decoded
        let samples = format.samples(levels: levels, dequantization: configuration.dequantization, seed: seed)
        return DataSet(samples: samples, labels: labels, classCount: 10, image: format)
    }

    /// The pixel levels `[1797, 64]` and the labels, decoded from `encodedImages`.
    public static let decoded: (levels: Tensor, labels: [Int]) = {
        var values: [Float] = []
        var labels: [Int] = []
        values.reserveCapacity(imageCount * 64)
        for line in encodedImages.split(separator: "\n") {
            let digits = line.utf8.map { byte -> Int in
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "g"): Int(byte - UInt8(ascii: "a")) + 10
                default: -1
                }
            }
            precondition(digits.count == 65 && digits.allSatisfy { $0 >= 0 }, "DigitsPixels.swift is corrupted")
            precondition(digits[0] <= 9, "DigitsPixels.swift is corrupted: label \(digits[0])")
            labels.append(digits[0])
            values += digits.dropFirst().map(Float.init)
        }
        precondition(labels.count == imageCount, "DigitsPixels.swift has \(labels.count) images, not \(imageCount)")
        return (Tensor(values, shape: [imageCount, 64]), labels)
    }()
}

extension DigitsData: RegisteredComponent {
    public static let id: ComponentID = "digits"
    public static let summary =
        "1,797 handwritten digits, 8 × 8, 17 levels, labels 0–9 (UCI via scikit-learn; CC BY 4.0)"
}
