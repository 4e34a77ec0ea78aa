public import ScoreKitCore

/// A learned embedding of class labels with one extra row for "no class", for conditional and
/// classifier-free-guided models.
///
/// ```
/// e_y = E[y]              y = 0 … K − 1
/// e_∅ = E[K]              y = NoiseCondition.nullLabel (−1), or no labels at all
/// ```
/// Classifier-free guidance (Ho & Salimans 2022) trains one network on both by replacing labels
/// with the null label at random (the losses' `labelDropout`); sampling then mixes the
/// conditional and unconditional predictions. The table `<name>.weight` is [K + 1, w],
/// initialised N(0, 1) as `nn.Embedding`; the embedding is added to the noise embedding, as in
/// ADM and DiT (Dhariwal & Nichol 2021; Peebles & Xie 2023).
public struct LabelEmbedding: Sendable, Equatable {
    /// The parameter name prefix, such as `labelEmbedding`.
    public let name: String
    /// K, the number of classes (labels 0 … K − 1).
    public let classCount: Int
    /// w.
    public let width: Int

    public init(name: String, classCount: Int, width: Int) {
        precondition(
            classCount > 0 && width > 0, "LabelEmbedding '\(name)' needs positive sizes, got \(classCount), \(width)")
        self.name = name
        self.classCount = classCount
        self.width = width
    }

    /// The table [K + 1, w] drawn from N(0, 1).
    public func initialParameters(stream: inout RandomStream) -> [(String, Tensor)] {
        [("\(name).weight", Tensor(shape: [classCount + 1, width]) { stream.fillNormal($0) })]
    }

    /// The rows of `labels` ([N, w]); `nil` labels mean the null row for all `count` samples.
    /// - Precondition: every label is in 0..<K or is `NoiseCondition.nullLabel`.
    public func callAsFunction(_ labels: [Int]?, count: Int, _ parameters: ParameterSet, at index: Int) -> Tensor {
        let rows = (labels ?? [Int](repeating: NoiseCondition.nullLabel, count: count)).map { label -> Int in
            if label == NoiseCondition.nullLabel { return classCount }
            precondition(
                label >= 0 && label < classCount,
                "label \(label) is outside 0..<\(classCount) and is not the null label")
            return label
        }
        precondition(rows.count == count, "\(rows.count) labels for \(count) samples")
        return parameters.tensors[index].gathering(rows: rows)
    }
}
