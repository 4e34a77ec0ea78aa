public import ScoreKitCore
import Synchronization

/// Draws a batch of samples in shards of rows that run in parallel: the one sampling pipeline
/// below the command line, which `scorekit sample` (the Runner's `SamplingSession`) and
/// `scorekit-bench` both run.
///
/// ```swift
/// let sampling = ShardedSampling(sampler: sampler, times: grid.times(for: sde))
/// let outcome = try sampling.run(count: 10_000, sampleShape: [2], seed: 7) { rows in process }
/// ```
/// A run cuts `0..<count` into shards of about `rowsPerShard` rows, every shard but the last a
/// whole number of `alignment` rows (`Compute.shardRanges(count:rows:alignedTo:)`; by default
/// `PanelBatch.panelWidth`, the 32-sample panels untracked networks compute on, so no shard
/// pays for padding), and runs them on `Compute.threadCount` threads (`Compute.mapShards`), each
/// shard's whole loop on one thread with a single-threaded BLAS. Shard k of rows r:
///
/// ```
/// noise = PerSampleNoise(seed, firstSample: r.lowerBound)        sample i draws from stream i
/// x_T   = initial[r]  or  noise.normal([|r|] + sampleShape) · s   s = the prior's standard deviation
/// x_0   = runSampler(sampler, process(r), times, x_T, noise)      or runAdaptive for an AdaptiveSampler
/// ```
/// Because every sample draws from its own stream, its result depends on the seed and its index
/// only: never on the cut, the shard size or the thread count (tests check this bit for bit).
/// The one exception is an adaptive sampler with one step size per batch
/// (`stepControl: batch`), whose steps depend on the rows solved together. The process is asked
/// for once per shard, so per-sample data (classifier-free guidance's labels) follows the rows.
///
/// Progress goes out as `ShardedSamplingEvent`s, one per finished shard.
///
/// With `collectives` of several ranks (`mpirun`), rank r draws the shards of its block
/// (`Collectives.block(of:)`), each as a region (single-threaded BLAS), and every rank receives
/// every shard's samples: the same bits as one process, since a sample depends on its index only.
public struct ShardedSampling: Sendable {
    /// How an `AdaptiveSampler` runs.
    public enum AdaptiveRun: Sendable, Equatable {
        /// Step-size control between the grid's ends (`runAdaptive`), plus the final denoising
        /// step when the grid ends at t = 0.
        case controlled
        /// Fixed steps over the grid like any other sampler, with a step event each
        /// (trajectory pictures).
        case onGrid
    }

    /// The sampler.
    public var sampler: any Sampler
    /// The time grid, decreasing (an adaptive run uses its ends).
    public var times: [Double]
    /// About how many rows a shard has (default 512: a shard's activations stay near its core).
    public var rowsPerShard: Int
    /// Shards other than the last are multiples of this many rows (default: one panel).
    public var alignment: Int
    /// How adaptive samplers run.
    public var adaptiveRun = AdaptiveRun.controlled
    /// The ranks that share the shards (default: this process alone).
    public var collectives = Collectives.single

    /// Runs of `sampler` over `times` in shards of about `rowsPerShard` rows, cut on multiples of
    /// `alignment` rows.
    public init(
        sampler: any Sampler, times: [Double], rowsPerShard: Int = 512, alignment: Int = PanelBatch.panelWidth
    ) {
        precondition(rowsPerShard >= 1, "a shard needs at least one row, got \(rowsPerShard)")
        precondition(alignment >= 1, "an alignment needs at least one row, got \(alignment)")
        self.sampler = sampler
        self.times = times
        self.rowsPerShard = rowsPerShard
        self.alignment = alignment
    }

    /// The shards a run of `count` samples is cut into, in order.
    public func shards(count: Int) -> [Range<Int>] {
        Compute.shardRanges(count: count, rows: rowsPerShard, alignedTo: alignment)
    }

    /// Draws samples `0..<count` of shape `[count] + sampleShape` (in the process's space).
    ///
    /// - Parameters:
    ///   - seed: the seed of every sample's noise stream (its prior draw and the sampler's noise).
    ///   - initial: the prior draw `[count] + sampleShape` to start from, instead of drawing it.
    ///   - recorded: draws to replay instead of the seeded streams (the prior draw first, unless
    ///     `initial` is given), for `count` samples; each shard replays its rows.
    ///   - process: the process for the rows of a shard, asked once per shard on the calling thread.
    ///   - observation: what is known of the rows of a shard, for conditional sampling
    ///     (`ReplacementSampler`), asked once per shard on the calling thread; `nil`: nothing.
    ///   - observe: progress; called on the shards' threads, one call at a time.
    /// - Throws: the error of the first failing shard in order (`SamplingError`).
    public func run(
        count: Int, sampleShape: [Int], seed: UInt64, initial: Tensor? = nil, recorded: RecordedNoise? = nil,
        process: (Range<Int>) -> any ReverseProcess,
        observation: ((Range<Int>) -> SampleObservation)? = nil,
        observe: (ShardedSamplingEvent) -> Void = { _ in }
    ) throws(SamplingError) -> ShardedSamplingOutcome {
        if let initial {
            precondition(
                initial.shape == [count] + sampleShape,
                "initial noise of shape \(initial.shape) for \(count) samples of shape \(sampleShape)")
        }
        if let recorded, recorded.sampleCount != count {
            throw .noiseRecording(
                reason: NoiseRecordingError.sampleCount(recorded: recorded.sampleCount, needed: count).description)
        }
        let ranges = shards(count: count)
        let processes = Dictionary(uniqueKeysWithValues: ranges.map { ($0.lowerBound, process($0)) })
        let observations = Dictionary(
            uniqueKeysWithValues: ranges.compactMap { rows in
                observation.map { (rows.lowerBound, $0(rows)) }
            })
        let finished = Mutex(0)
        let distributed = collectives.isDistributed
        let owned = distributed ? Array(ranges[collectives.block(of: ranges.count)]) : ranges
        // Progress counts this rank's samples (rank 0's share, on a distributed run).
        let ownedCount = owned.reduce(0) { $0 + $1.count }
        let mine = try Compute.mapShards(owned, asRegion: distributed) { (rows) throws(SamplingError) in
            let part = try drawShard(
                rows: rows, sampleShape: sampleShape, seed: seed, initial: initial?.slice(alongAxis: 0, rows),
                recorded: recorded?.shard(rows), process: processes[rows.lowerBound]!,
                observation: observations[rows.lowerBound])
            finished.withLock { done in
                done += rows.count
                observe(.shardFinished(rows: rows, finishedCount: done, count: ownedCount))
            }
            return part
        }
        let parts = distributed ? exchange(mine, shardCount: ranges.count) : mine
        return ShardedSamplingOutcome(
            samples: parts.isEmpty
                ? Tensor.zeros([0] + sampleShape) : Tensor.concatenate(parts.map(\.samples), alongAxis: 0),
            evaluationCount: parts.map(\.evaluationCount).max() ?? 0,
            sampleEvaluationCounts: parts.flatMap(\.sampleEvaluationCounts),
            rejectedStepCounts: parts.flatMap(\.rejectedStepCounts), shards: ranges,
            acceptance: AcceptanceCounts.merged(parts.compactMap(\.acceptance)))
    }

    /// Every rank's shards, in shard order, on every rank. A rank whose shards failed has thrown
    /// before this exchange; `Collectives.fail` then reaches the others here.
    private func exchange(_ mine: [ShardedSamplingOutcome], shardCount: Int) -> [ShardedSamplingOutcome] {
        var payload = Payload()
        for part in mine {
            payload.append(part.samples)
            payload.append(part.evaluationCount)
            payload.append(part.sampleEvaluationCounts)
            payload.append(part.rejectedStepCounts)
            payload.append(part.shards.flatMap { [$0.lowerBound, $0.upperBound] })
            payload.append(part.acceptance == nil ? 0 : 1)
            if let acceptance = part.acceptance {
                payload.append(acceptance.times)
                payload.append(acceptance.proposed)
                payload.append(acceptance.accepted)
            }
        }
        var parts: [ShardedSamplingOutcome] = []
        for (rank, frame) in collectives.exchangeOrEnd(payload.bytes).enumerated() {
            var reader = PayloadReader(frame)
            do throws(PayloadError) {
                for _ in collectives.block(of: shardCount, rank: rank) {
                    let samples = try reader.tensor()
                    let evaluationCount = try reader.integer()
                    let sampleEvaluationCounts = try reader.integers()
                    let rejectedStepCounts = try reader.integers()
                    let bounds = try reader.integers()
                    guard bounds.count % 2 == 0 else { throw PayloadError.truncated }
                    let shards = stride(from: 0, to: bounds.count, by: 2).map { bounds[$0]..<bounds[$0 + 1] }
                    var acceptance: AcceptanceCounts? = nil
                    if try reader.integer() == 1 {
                        acceptance = AcceptanceCounts(
                            times: try reader.doubles(), proposed: try reader.integers(),
                            accepted: try reader.integers())
                    }
                    parts.append(
                        ShardedSamplingOutcome(
                            samples: samples, evaluationCount: evaluationCount,
                            sampleEvaluationCounts: sampleEvaluationCounts, rejectedStepCounts: rejectedStepCounts,
                            shards: shards, acceptance: acceptance))
                }
            } catch {
                collectives.end(RankFailure(rank: rank, size: collectives.size, message: error.description))
            }
        }
        return parts
    }

    /// The samples of `rows` alone, as `run` draws them in one shard; the unit every shard runs.
    /// `observe` sees each step of a fixed-grid run (`SamplingEvent.stepFinished`); `recorded`
    /// replays the rows' draws instead of the seeded streams. With an `observation` of the rows, the
    /// sampler runs inside a `ReplacementSampler` (an adaptive one on the grid's steps).
    public func drawShard(
        rows: Range<Int>, sampleShape: [Int], seed: UInt64, initial: Tensor?, recorded: RecordedNoise? = nil,
        process: any ReverseProcess, observation: SampleObservation? = nil,
        observe: (SamplingEvent) -> Void = { _ in }
    ) throws(SamplingError) -> ShardedSamplingOutcome {
        let base: any Sampler = self.sampler
        let sampler: any Sampler = observation.map { Self.replacing(base, $0) } ?? base
        let adaptiveRun = observation == nil ? self.adaptiveRun : .onGrid
        guard var recorded else {
            var noise = PerSampleNoise(seed: seed, firstSample: rows.lowerBound)
            return try Self.draw(
                sampler: sampler, process: process, times: times, rows: rows, sampleShape: sampleShape,
                noise: &noise, initial: initial, adaptiveRun: adaptiveRun, observe: observe)
        }
        let outcome = try Self.draw(
            sampler: sampler, process: process, times: times, rows: rows, sampleShape: sampleShape,
            noise: &recorded, initial: initial, adaptiveRun: adaptiveRun, observe: observe)
        if let problem = recorded.problem { throw .noiseRecording(reason: problem) }
        return outcome
    }

    /// The prior draw of samples `rows` for a process whose prior has standard deviation
    /// `standardDeviation`: what a run starts from when no initial noise is given.
    public static func prior(rows: Range<Int>, sampleShape: [Int], seed: UInt64, standardDeviation: Double) -> Tensor {
        var noise = PerSampleNoise(seed: seed, firstSample: rows.lowerBound)
        return noise.normal([rows.count] + sampleShape) * Float(standardDeviation)
    }

    /// `sampler` with the known coordinates of `observation` replaced after each step.
    private static func replacing<S: Sampler>(_ sampler: S, _ observation: SampleObservation) -> any Sampler {
        ReplacementSampler(base: sampler, observation: observation)
    }

    /// One shard, with the existentials opened.
    private static func draw<S: Sampler, P: ReverseProcess, N: NoiseSource>(
        sampler: S, process: P, times: [Double], rows: Range<Int>, sampleShape: [Int], noise: inout N,
        initial: Tensor?, adaptiveRun: AdaptiveRun, observe: (SamplingEvent) -> Void
    ) throws(SamplingError) -> ShardedSamplingOutcome {
        let start = initial ?? noise.normal([rows.count] + sampleShape) * Float(process.sde.priorStandardDeviation)
        if adaptiveRun == .controlled, let adaptive = sampler as? any AdaptiveSampler {
            return try runAdaptively(adaptive, process: process, times: times, initial: start, rows: rows)
        }
        let outcome = try runSampler(
            sampler, process: process, times: times, initial: start, noise: &noise, observe: observe)
        return ShardedSamplingOutcome(
            samples: outcome.samples, evaluationCount: outcome.evaluationCount, shards: [rows],
            acceptance: outcome.acceptance)
    }

    private static func runAdaptively<S: AdaptiveSampler, P: ReverseProcess>(
        _ sampler: S, process: P, times: [Double], initial: Tensor, rows: Range<Int>
    ) throws(SamplingError) -> ShardedSamplingOutcome {
        let outcome = try runAdaptive(sampler, process: process, times: times, initial: initial)
        return ShardedSamplingOutcome(
            samples: outcome.solution, evaluationCount: outcome.evaluationCount,
            sampleEvaluationCounts: outcome.sampleEvaluationCounts, rejectedStepCounts: outcome.rejectedStepCounts,
            shards: [rows])
    }
}

/// Progress of a `ShardedSampling` run.
public enum ShardedSamplingEvent: Sendable, Equatable {
    /// The shard of `rows` finished; `finishedCount` of the run's `count` samples are done.
    case shardFinished(rows: Range<Int>, finishedCount: Int, count: Int)
}

/// What a `ShardedSampling` run drew.
public struct ShardedSamplingOutcome: Sendable {
    /// The samples, `[count] + sampleShape`, in order.
    public var samples: Tensor
    /// The model evaluations a shard made: on a fixed grid, what every sample saw; for an
    /// adaptive run, the largest shard's count of batch evaluations.
    public var evaluationCount: Int
    /// Each sample's evaluations in an adaptive run (empty on a fixed grid).
    public var sampleEvaluationCounts: [Int] = []
    /// Each sample's rejected steps in an adaptive run (empty on a fixed grid).
    public var rejectedStepCounts: [Int] = []
    /// The shards, in order.
    public var shards: [Range<Int>]
    /// Metropolis–Hastings acceptances summed over the shards, for a sampler that counts them (MALA).
    public var acceptance: AcceptanceCounts? = nil
}
