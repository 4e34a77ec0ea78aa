/// A training objective over a batch: time sampling, the regression target and its weighting.
///
/// The target comes from the `Parameterization` and the noise from the `ForwardSDE`, so one loss
/// serves every process and every prediction target (DESIGN.md, "Losses").
public protocol Loss: Sendable {
    /// The scalar objective (tracked through the model's parameters) with per-sample diagnostics.
    ///
    /// The value must be the batch mean of `perSample`, and sample i's term must depend only on
    /// row i of the batch and of the noise: training cuts a batch into shards and weights each
    /// shard's loss by its share of the rows (`ScoreKitTesting.LossConformance` checks both).
    func evaluate(
        _ batch: TrainingBatch,
        model: some ScoreModel,
        sde: some ForwardSDE,
        parameterization: some Parameterization,
        noise: inout some NoiseSource
    ) -> LossEvaluation
}

/// A batch of training data.
public struct TrainingBatch: Sendable {
    /// Data `[N, …]`.
    public var data: Tensor
    /// Class labels, for conditional training.
    public var labels: [Int]?

    public init(data: Tensor, labels: [Int]? = nil) {
        self.data = data
        self.labels = labels
    }

    /// The number of samples.
    public var count: Int { data.shape[0] }

    /// The samples `rows`, with their labels.
    public func rows(_ rows: Range<Int>) -> TrainingBatch {
        TrainingBatch(data: data.slice(alongAxis: 0, rows), labels: labels.map { Array($0[rows]) })
    }
}

/// A loss value with what it was made of, for per-t diagnostics.
public struct LossEvaluation: Sendable {
    /// The scalar loss, tracked when the model's parameters are.
    public var value: Tensor
    /// The time each sample was noised to (empty for losses without time).
    public var times: [Double]
    /// Each sample's contribution, untracked, `[N]`.
    public var perSample: Tensor

    public init(value: Tensor, times: [Double], perSample: Tensor) {
        self.value = value
        self.times = times
        self.perSample = perSample
    }
}
