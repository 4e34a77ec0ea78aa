public import ScoreKitCore

/// A data section loaded and prepared for training: labels kept or dropped, split into a
/// training and a held-out part, standardised.
///
/// ```
/// load → (labelled? keep labels : drop) → split (seeded permutation) → fit m, s on the training part → apply to both
/// ```
/// The held-out part is ⌊f·N⌉ samples chosen by a permutation of the data seed's `split`
/// stream; both parts keep the file's (or generator's) order. Everything is a function of the
/// data seed, so a resumed run prepares exactly the same data.
public struct TrainingData: Sendable {
    /// The samples training draws batches from (standardised when asked).
    public var training: DataSet
    /// The held-out samples (standardised with the training part's m and s), or `nil`.
    public var heldOut: DataSet?
    /// The map applied, or `nil` for `standardization: none`.
    public var standardization: Standardization?
    /// What messages call the data: `data set 'ring'`.
    public var source: String

    /// Prepares the data `specification` describes.
    /// - Throws: `DataError` from the source, or `tooFewSamples` when a part would be empty.
    public static func prepare(_ specification: DataSpecification) throws(DataError) -> TrainingData {
        let settings = specification.settings
        let name = "data set '\(specification.id)'"
        var all = try specification.source.load(seed: settings.sampleSeed)
        if !settings.labelled { all = all.unlabelled }
        var training = all
        var heldOut: DataSet?
        if settings.heldOutFraction > 0 {
            let heldOutCount = Int((settings.heldOutFraction * Double(all.count)).rounded())
            guard heldOutCount >= 1, heldOutCount < all.count else {
                throw .tooFewSamples(
                    source: name, count: all.count,
                    needed:
                        "holding out \(settings.heldOutFraction) of them leaves \(all.count - heldOutCount) for training and \(heldOutCount) held out"
                )
            }
            var stream = RandomStream(seed: settings.splitSeed, stream: 0)
            let permutation = stream.permutation(count: all.count)
            heldOut = all.subset(permutation[..<heldOutCount].sorted())
            training = all.subset(permutation[heldOutCount...].sorted())
        }
        var standardization: Standardization?
        if settings.standardization == .perDimension {
            let map = Standardization(fitting: training.samples)
            training.samples = map.apply(training.samples)
            if let part = heldOut { heldOut?.samples = map.apply(part.samples) }
            standardization = map
        }
        return TrainingData(training: training, heldOut: heldOut, standardization: standardization, source: name)
    }

    /// Prepared parts, as `prepare(_:)` makes them.
    public init(training: DataSet, heldOut: DataSet? = nil, standardization: Standardization? = nil, source: String) {
        self.training = training
        self.heldOut = heldOut
        self.standardization = standardization
        self.source = source
    }

    /// The shape of one sample, as networks are built for it: `[C, H, W]` for images, else `[D]`.
    public var sampleShape: [Int] { training.image?.shape ?? [training.dimension] }

    /// Why `network` cannot take these samples, as the error a recipe check gives: an image
    /// network (`ImageNetworkArchitecture`) given vectors or images it cannot take; `nil` when
    /// it can. `networkID` names it in the message.
    public func incompatibility(with network: any NetworkArchitecture, networkID: ComponentID?) -> RecipeError? {
        guard let network = network as? any ImageNetworkArchitecture else { return nil }
        let name = networkID.map { " '\($0)'" } ?? ""
        guard let image = training.image else {
            return .incompatible(
                headline:
                    "network\(name) takes images [C, H, W]; \(source) gives vectors of \(training.dimension) values",
                notes: ["give it images (data kind digits, or idx with a file of bytes [N, H, W]), or an MLP network"],
                location: nil)
        }
        guard let problem = network.problem(withImageShape: image.shape) else { return nil }
        return .incompatible(
            headline: "network\(name) cannot take the \(image.shape.map(String.init).joined(separator: " × ")) "
                + "images of \(source): \(problem)",
            notes: ["change the network's levels (channelMultipliers) or use other images"],
            location: nil)
    }

    /// The class count the network is built for: the data's when labelled, else 0.
    public var classCount: Int { training.labels == nil ? 0 : training.classCount }
}
