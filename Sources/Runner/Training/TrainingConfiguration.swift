public import ScoreKitCore
public import ScoreKitNetworks

/// The `training:` section of a recipe: how long, how big, how fast, and what is recorded.
///
/// ```yaml
/// training:
///   steps: 20000
///   batchSize: 512
///   learningRate: 1e-3
///   learningRateSchedule: { kind: cosine, floor: 0.01 }   # η decays to 1e-5
///   gradientClipNorm: 1
///   divergenceFactor: 1e4
///   ema: { decay: 0.999, warmup: true }
///   logEvery: 100
///   checkpointEvery: 1000
///   evaluateEvery: 0
///   timeBinCount: 10
///   rowsPerShard: 256
/// ```
/// Decoded strictly when a recipe is resolved (unknown keys are errors, with did-you-mean),
/// so `scorekit validate` checks it; `resolved-recipe.yaml` writes every key.
public struct TrainingConfiguration: ComponentConfiguration, Equatable {
    /// The number of optimisation steps of the run.
    public var steps = 10_000
    /// Samples per step, drawn with replacement from the training data.
    public var batchSize = 128
    /// η, the peak learning rate.
    public var learningRate = 1e-3
    /// The factor on η per step (`LearningRateSchedule`: constant, linearWarmup, cosine, warmupCosine).
    public var learningRateSchedule = LearningRateSchedule()
    /// The global gradient norm is clipped to this (`torch.nn.utils.clip_grad_norm_`); `.inf`: no clipping.
    public var gradientClipNorm = Double.infinity
    /// The run stops when a step's loss is above this multiple of the median loss of the last
    /// 100 steps (after 20 steps; `DivergenceGuard`); 0 or `.inf`: no such ceiling. Non-finite
    /// losses, gradients, weights and optimizer states stop it whatever this is.
    public var divergenceFactor = 1e4
    /// The weight average used for sampling and evaluation (decay 0 keeps it equal to the weights).
    public var ema = ExponentialMovingAverage()
    /// Steps between lines of `metrics.jsonl` and `train.log` (the running means cover them).
    public var logEvery = 100
    /// Steps between checkpoints (`checkpoint.safetensors`, replaced); 0: only at the end.
    public var checkpointEvery = 1_000
    /// Steps between evaluations of the held-out loss (needs `data.heldOutFraction` > 0); 0: never.
    public var evaluateEvery = 0
    /// Bins of the normalised time (t − t_min)/(t_max − t_min) for the per-time loss diagnostics.
    public var timeBinCount = 10
    /// Rows of a batch shard: shards run forward and backward on their own threads and their
    /// gradients are summed in shard order. The cut depends on the batch size only, so a run is
    /// the same on any thread count; a different value changes the last bits. Below the batch
    /// size it puts more threads to work on small batches of large samples (the digits U-Net at
    /// batch 128: 64 rows make two shards).
    public var rowsPerShard = 256

    public init() {}

    public func validate() throws(ConfigurationError) {
        guard steps >= 1 else { throw .outOfRange(key: "steps", value: "\(steps)", expected: "an integer ≥ 1") }
        try requireCount(batchSize, key: "batchSize", atMost: SizeCeiling.rows, of: "rows of a batch")
        try requireCount(rowsPerShard, key: "rowsPerShard", atMost: SizeCeiling.rows, of: "rows of a batch")
        try requireCount(timeBinCount, key: "timeBinCount", atMost: SizeCeiling.levels, of: "time bins")
        guard learningRate > 0, learningRate.isFinite else {
            throw .outOfRange(key: "learningRate", value: "\(learningRate)", expected: "a finite number > 0")
        }
        guard gradientClipNorm > 0 else {
            throw .outOfRange(
                key: "gradientClipNorm", value: "\(gradientClipNorm)", expected: "a number > 0, or .inf for no clipping"
            )
        }
        guard divergenceFactor >= 0 else {
            throw .outOfRange(
                key: "divergenceFactor", value: "\(divergenceFactor)",
                expected: "a number ≥ 0 (0 or .inf: no ceiling on the loss)")
        }
        for (key, value, least) in [
            ("logEvery", logEvery, 1), ("checkpointEvery", checkpointEvery, 0), ("evaluateEvery", evaluateEvery, 0),
        ] where value < least {
            throw .outOfRange(key: key, value: "\(value)", expected: "an integer ≥ \(least)")
        }
        try Self.nested("learningRateSchedule") { () throws(ConfigurationError) in try learningRateSchedule.validate() }
        try Self.nested("ema") { () throws(ConfigurationError) in try ema.validate() }
    }

    /// The clipping threshold `TrainingStep` takes: `nil` for `.inf`.
    public var clipNorm: Double? { gradientClipNorm.isFinite ? gradientClipNorm : nil }

    /// Runs a nested configuration's `validate()`, prefixing its keys with `key`.
    private static func nested(_ key: String, _ body: () throws(ConfigurationError) -> Void) throws(ConfigurationError)
    {
        do {
            try body()
        } catch {
            if case .outOfRange(let inner, let value, let expected) = error {
                throw .outOfRange(key: "\(key).\(inner)", value: value, expected: expected)
            }
            throw error
        }
    }
}
