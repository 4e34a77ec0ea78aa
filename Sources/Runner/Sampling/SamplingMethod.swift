public import ScoreKitCore
public import ScoreKitSamplers

/// A recipe's sampler over its time grid, as the sampling pipeline (`ShardedSampling`) runs it:
/// through `runSampler`, or `runAdaptive` for an `AdaptiveSampler`; conditioned on what is known
/// of each sample when `observations` are set (the recipe's `conditioning`).
public struct SamplingMethod: Sendable {
    /// The sampler.
    public var sampler: any Sampler
    /// Its time grid.
    public var grid: any TimeGrid
    /// What is known of the samples (the recipe's `conditioning`, in the model's space), or `nil`.
    public var observations: Observations?

    /// The recipe's `sampler` and `timeGrid`.
    /// - Throws: `RecipeError.missingSection` for either.
    public init(recipe: ResolvedRecipe) throws(RecipeError) {
        sampler = try recipe.require(\.sampler, .sampler, for: "sampling")
        grid = try recipe.require(\.timeGrid, .timeGrid, for: "sampling")
    }

    /// `process` for samples `rows`, with reconstruction guidance when `observations` ask for it.
    public func process(_ process: any ReverseProcess, rows: Range<Int>) -> any ReverseProcess {
        observations?.process(process, rows: rows) ?? process
    }

    /// What is known of samples `rows` (`ShardedSampling`'s observation), or `nil`.
    public func observation(rows: Range<Int>, seed: UInt64) -> SampleObservation? {
        observations?.observation(rows: rows, seed: seed)
    }

    /// The pipeline that runs this method on `sde`'s grid, in shards of about `rowsPerShard` rows.
    public func sharded(sde: any ForwardSDE, rowsPerShard: Int = 512) -> ShardedSampling {
        ShardedSampling(sampler: sampler, times: grid.times(for: sde), rowsPerShard: rowsPerShard)
    }

    /// `count` samples (in model space) and the model evaluations spent; sample i of the
    /// batch is sample `first + i` of the run: its prior draw and noise come from its own stream.
    /// One shard of the pipeline (`ShardedSampling.drawShard`); `recorded` replays these rows' draws.
    public func draw(
        process: any ReverseProcess, count: Int, dimension: Int, first: Int, seed: UInt64, initial: Tensor?,
        recorded: RecordedNoise? = nil, observe: (SamplingEvent) -> Void = { _ in }
    ) throws(SamplingError) -> (Tensor, Int) {
        let rows = first..<(first + count)
        let outcome = try sharded(sde: process.sde).drawShard(
            rows: rows, sampleShape: [dimension], seed: seed, initial: initial, recorded: recorded,
            process: self.process(process, rows: rows), observation: observation(rows: rows, seed: seed),
            observe: observe)
        return (outcome.samples, outcome.evaluationCount)
    }

    /// As `draw`, but always step by step over the grid (adaptive samplers too), reporting each step.
    public func drawStepwise(
        process: any ReverseProcess, count: Int, dimension: Int, first: Int, seed: UInt64, initial: Tensor?,
        recorded: RecordedNoise? = nil, observe: (SamplingEvent) -> Void
    ) throws(SamplingError) -> (Tensor, Int) {
        var sampling = sharded(sde: process.sde)
        sampling.adaptiveRun = .onGrid
        let rows = first..<(first + count)
        let outcome = try sampling.drawShard(
            rows: rows, sampleShape: [dimension], seed: seed, initial: initial, recorded: recorded,
            process: self.process(process, rows: rows), observation: observation(rows: rows, seed: seed),
            observe: observe)
        return (outcome.samples, outcome.evaluationCount)
    }

    /// The prior draw of samples `first ..< first + count`, from their seeded streams.
    public static func prior(sde: some ForwardSDE, count: Int, dimension: Int, first: Int, seed: UInt64) -> Tensor {
        var none: RecordedNoise? = nil
        return prior(sde: sde, count: count, dimension: dimension, first: first, seed: seed, recorded: &none)
    }

    /// The prior draw of samples `first ..< first + count`: from their seeded streams, or the
    /// first draw of `recorded` (which then moves past it).
    public static func prior(
        sde: some ForwardSDE, count: Int, dimension: Int, first: Int, seed: UInt64, recorded: inout RecordedNoise?
    ) -> Tensor {
        guard var replay = recorded else {
            return ShardedSampling.prior(
                rows: first..<(first + count), sampleShape: [dimension], seed: seed,
                standardDeviation: sde.priorStandardDeviation)
        }
        defer { recorded = replay }
        return replay.normal([count, dimension]) * Float(sde.priorStandardDeviation)
    }
}
