/// What a run's network was trained on, as far as sampling needs it: the shape of one sample,
/// the image format, and the standardisation that maps samples back to data space.
///
/// Checkpoints record it (`Checkpoint.dataDescription`), so that `scorekit sample` rebuilds the
/// network and de-standardises its samples without loading, generating or preparing the
/// training data again; a run folder describes itself. Checkpoints written before it was
/// recorded have none, and `RunModel` then prepares the data to find it.
public struct DataDescription: Sendable, Equatable {
    /// The shape of one sample, as networks are built for it: `[C, H, W]` for images, else `[D]`.
    public var sampleShape: [Int]
    /// The image layout when each sample is an image, else `nil`.
    public var image: ImageFormat?
    /// The map to the network's space, or `nil` for `standardization: none`.
    public var standardization: Standardization?

    /// A description of samples of `sampleShape`, with their image format and standardisation.
    public init(sampleShape: [Int], image: ImageFormat? = nil, standardization: Standardization? = nil) {
        precondition(sampleShape.allSatisfy { $0 >= 1 }, "a sample shape has positive sizes, got \(sampleShape)")
        self.sampleShape = sampleShape
        self.image = image
        self.standardization = standardization
    }

    /// The description of prepared training data.
    public init(_ data: TrainingData) {
        self.init(sampleShape: data.sampleShape, image: data.training.image, standardization: data.standardization)
    }

    /// d, the values per sample.
    public var dimension: Int { sampleShape.reduce(1, *) }
}
