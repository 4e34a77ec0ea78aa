public import ScoreKitCore

/// A recipe's sampler over its time grid: draws a chunk of samples from the prior (or from
/// given noise), through `runSampler`, or `runAdaptive` for an `AdaptiveSampler`.
public struct SamplingMethod: Sendable {
    /// The sampler.
    public var sampler: any Sampler
    /// Its time grid.
    public var grid: any TimeGrid

    /// The recipe's `sampler` and `timeGrid`.
    /// - Throws: `RecipeError.missingSection` for either.
    public init(recipe: ResolvedRecipe) throws(RecipeError) {
        sampler = try recipe.require(\.sampler, .sampler, for: "sampling")
        grid = try recipe.require(\.timeGrid, .timeGrid, for: "sampling")
    }

    /// `count` samples (in model space) and the model evaluations spent; sample i of the
    /// chunk is sample `first + i` of the run: its prior draw and noise come from its own stream.
    public func draw(
        process: any ReverseProcess, count: Int, dimension: Int, first: Int, seed: UInt64, initial: Tensor?,
        observe: (SamplingEvent) -> Void = { _ in }
    ) throws(SamplingError) -> (Tensor, Int) {
        try Self.draw(
            sampler: sampler, grid: grid, process: process, count: count, dimension: dimension, first: first,
            seed: seed, initial: initial, stepwise: false, observe: observe)
    }

    /// As `draw`, but always step by step over the grid (adaptive samplers too), reporting each step.
    public func drawStepwise(
        process: any ReverseProcess, count: Int, dimension: Int, first: Int, seed: UInt64, initial: Tensor?,
        observe: (SamplingEvent) -> Void
    ) throws(SamplingError) -> (Tensor, Int) {
        try Self.draw(
            sampler: sampler, grid: grid, process: process, count: count, dimension: dimension, first: first,
            seed: seed, initial: initial, stepwise: true, observe: observe)
    }

    /// The prior draw of samples `first ..< first + count`.
    public static func prior(sde: some ForwardSDE, count: Int, dimension: Int, first: Int, seed: UInt64) -> Tensor {
        var noise = PerSampleNoise(seed: seed, firstSample: first)
        return noise.normal([count, dimension]) * Float(sde.priorStandardDeviation)
    }

    /// One chunk, with the existentials opened.
    private static func draw<S: Sampler, G: TimeGrid, P: ReverseProcess>(
        sampler: S, grid: G, process: P, count: Int, dimension: Int, first: Int, seed: UInt64, initial: Tensor?,
        stepwise: Bool, observe: (SamplingEvent) -> Void
    ) throws(SamplingError) -> (Tensor, Int) {
        let times = grid.times(for: process.sde)
        var noise = PerSampleNoise(seed: seed, firstSample: first)
        let start = initial ?? noise.normal([count, dimension]) * Float(process.sde.priorStandardDeviation)
        if !stepwise, let adaptive = sampler as? any AdaptiveSampler {
            return try runAdaptively(adaptive, process: process, times: times, initial: start)
        }
        let outcome = try runSampler(
            sampler, process: process, times: times, initial: start, noise: &noise, observe: observe)
        return (outcome.samples, outcome.evaluationCount)
    }

    private static func runAdaptively<S: AdaptiveSampler, P: ReverseProcess>(
        _ sampler: S, process: P, times: [Double], initial: Tensor
    ) throws(SamplingError) -> (Tensor, Int) {
        let outcome = try runAdaptive(sampler, process: process, times: times, initial: initial)
        return (outcome.solution, outcome.evaluationCount)
    }
}
