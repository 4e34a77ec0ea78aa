public import ScoreKitCore

/// The recipe's `evaluation:` section: how `scorekit evaluate` compares samples with data.
///
/// ```yaml
/// evaluation: { pointLimit: 5000, bandwidth: 0, projectionCount: 128, offManifoldRadius: 4, classifierSteps: 3000 }
/// ```
/// Decoded strictly when the recipe is resolved, so `scorekit validate` checks it and
/// `resolved-recipe.yaml` writes every key.
public struct EvaluationConfiguration: ComponentConfiguration, Equatable {
    /// At most this many samples and this many reference points enter the pair metrics (energy
    /// distance, MMD), which cost O(n²): the first ones, since samples and generated data are
    /// independent per index.
    public var pointLimit = 5_000
    /// h, the RBF kernel's bandwidth for the MMD; 0 takes the median distance between
    /// reference points (the median heuristic), and the report states the value used.
    public var bandwidth = 0.0
    /// L, the random directions of the sliced Wasserstein distance.
    public var projectionCount = 128
    /// For mixture data: a sample is off the manifold when it is farther than this many
    /// standard deviations (of the widest component) from every mean.
    public var offManifoldRadius = 4.0
    /// For labelled image data with a held-out part: the training steps of the classifier whose
    /// features the Fréchet distance compares (`ImageClassifier`, about 10 s for 3,000 steps
    /// on the digits).
    public var classifierSteps = 3_000

    public init() {}

    public func validate() throws(ConfigurationError) {
        guard pointLimit >= 2, pointLimit <= SizeCeiling.samples else {
            throw .outOfRange(
                key: "pointLimit", value: "\(pointLimit)",
                expected: "an integer from 2 to 268,435,456 (the ceiling for sample counts)")
        }
        guard bandwidth >= 0, bandwidth.isFinite else {
            throw .outOfRange(key: "bandwidth", value: "\(bandwidth)", expected: "a number ≥ 0 (0: median heuristic)")
        }
        try requireCount(
            projectionCount, key: "projectionCount", atMost: SizeCeiling.projections, of: "projection counts")
        guard offManifoldRadius > 0, offManifoldRadius.isFinite else {
            throw .outOfRange(key: "offManifoldRadius", value: "\(offManifoldRadius)", expected: "a number > 0")
        }
        try requireCount(classifierSteps, key: "classifierSteps", atMost: 1_000_000, of: "classifier steps")
    }
}
