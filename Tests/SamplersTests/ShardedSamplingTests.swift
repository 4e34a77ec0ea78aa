import ScoreKitCore
import ScoreKitSDEs
import ScoreKitSamplers
import Testing

/// The probability-flow field of the exact ring, with row restriction refused: `runAdaptive`
/// then evaluates the whole batch every time, finished samples included.
struct WholeBatchField<Process: ReverseProcess>: VectorField {
    let process: Process
    func velocity(_ y: Tensor, at times: [Double]) -> Tensor { process.probabilityFlowVelocity(y, at: times) }
}

@Suite("Sampling in shards (ShardedSampling) and adaptive runs on unfinished samples only")
struct ShardedSamplingTests {
    static let sde = VariancePreservingSDE()

    @Test(arguments: [(130, PanelBatch.panelWidth), (130, 1), (1_000, PanelBatch.panelWidth), (7, 3)])
    func shardsGiveTheSamplesOfOneRun(rows: Int, alignment: Int) throws {
        let times = uniformTimes(steps: 50, to: 1e-3)
        var prior = PerSampleNoise(seed: 7)
        let initial = Self.sde.samplePrior([1_000, 2], noise: &prior)
        var whole = PerSampleNoise(seed: 8)
        let reference = try runSampler(
            EulerMaruyamaSampler(), process: exactProcess(Self.sde), times: times, initial: initial, noise: &whole)
        let sampling = ShardedSampling(
            sampler: EulerMaruyamaSampler(), times: times, rowsPerShard: rows, alignment: alignment)
        let sharded = try sampling.run(count: 1_000, sampleShape: [2], seed: 8, initial: initial) { _ in
            exactProcess(Self.sde)
        }
        #expect(sharded.samples == reference.samples)
        #expect(sharded.evaluationCount == reference.evaluationCount)
        #expect(sharded.shards == Compute.shardRanges(count: 1_000, rows: rows, alignedTo: alignment))
        #expect(sharded.shards.dropLast().allSatisfy { $0.count % alignment == 0 })
    }

    /// Without initial noise, sample i's prior draw and its sampler noise come from stream i of
    /// the seed, in that order: one batch drawn at once gives the same samples.
    @Test func priorDrawsComeFromEachSamplesStream() throws {
        let times = uniformTimes(steps: 20, to: 1e-3)
        var noise = PerSampleNoise(seed: 5)
        let initial = noise.normal([300, 2]) * Float(Self.sde.priorStandardDeviation)
        let reference = try runSampler(
            EulerMaruyamaSampler(), process: exactProcess(Self.sde), times: times, initial: initial, noise: &noise)
        for rows in [64, 100, 300] {
            let sampling = ShardedSampling(sampler: EulerMaruyamaSampler(), times: times, rowsPerShard: rows)
            let sharded = try sampling.run(count: 300, sampleShape: [2], seed: 5) { _ in exactProcess(Self.sde) }
            #expect(sharded.samples == reference.samples, "\(rows) rows per shard")
        }
        let prior = ShardedSampling.prior(
            rows: 40..<50, sampleShape: [2], seed: 5, standardDeviation: Self.sde.priorStandardDeviation)
        #expect(prior == initial.slice(alongAxis: 0, 40..<50))
    }

    /// A recording of the seeded draws (the prior, then one per step) replays the seeded run bit
    /// for bit, whatever the cut; a recording one draw short is refused, named.
    @Test func recordedDrawsReplayTheSeededRun() throws {
        let times = uniformTimes(steps: 12, to: 1e-3)
        let sampling = ShardedSampling(sampler: EulerMaruyamaSampler(), times: times, rowsPerShard: 64)
        let reference = try sampling.run(count: 200, sampleShape: [2], seed: 3) { _ in exactProcess(Self.sde) }
        var streams = PerSampleNoise(seed: 3)
        let draws = (0...12).map { _ in streams.normal([200, 2]) }
        for rows in [64, 200] {
            var cut = sampling
            cut.rowsPerShard = rows
            let replayed = try cut.run(
                count: 200, sampleShape: [2], seed: 0, recorded: try RecordedNoise(recording: stacked(draws))
            ) { _ in exactProcess(Self.sde) }
            #expect(replayed.samples == reference.samples, "\(rows) rows per shard")
        }
        let short = try RecordedNoise(recording: stacked(Array(draws.dropLast())))
        #expect(
            throws: SamplingError.noiseRecording(reason: "draw 13 of shape [64, 2] is past the recording's 12 draws")
        ) {
            try sampling.run(count: 200, sampleShape: [2], seed: 0, recorded: short) { _ in exactProcess(Self.sde) }
        }
        #expect(throws: SamplingError.self) {
            try sampling.run(count: 100, sampleShape: [2], seed: 0, recorded: short) { _ in exactProcess(Self.sde) }
        }
    }

    @Test func eachShardReportsOnceAndTheCountsAddUp() throws {
        let sampling = ShardedSampling(
            sampler: EulerMaruyamaSampler(), times: uniformTimes(steps: 5, to: 1e-3), rowsPerShard: 64)
        var events: [ShardedSamplingEvent] = []
        let outcome = try sampling.run(count: 1_000, sampleShape: [2], seed: 1) { _ in
            exactProcess(Self.sde)
        } observe: {
            events.append($0)
        }
        var rows: [Range<Int>] = []
        var finished: [Int] = []
        for case let .shardFinished(range, done, count) in events {
            rows.append(range)
            finished.append(done)
            #expect(count == 1_000)
        }
        #expect(rows.sorted { $0.lowerBound < $1.lowerBound } == outcome.shards)
        #expect(finished == finished.sorted() && finished.last == 1_000)
    }

    /// Per-sample data lives in the process, which the pipeline asks for per shard: labels
    /// follow their rows, so a cut run gives the samples of one labelled batch.
    @Test func eachShardGetsTheProcessOfItsRows() throws {
        let times = uniformTimes(steps: 20, to: 1e-3)
        func labelled(_ rows: Range<Int>) -> any ReverseProcess {
            ModelReverseProcess(
                sde: Self.sde, parameterization: DenoisedPrediction(), model: ringMixture,
                labels: rows.map { $0 % 8 })
        }
        let whole = ShardedSampling(sampler: EulerMaruyamaSampler(), times: times, rowsPerShard: 400)
        let cut = ShardedSampling(sampler: EulerMaruyamaSampler(), times: times, rowsPerShard: 32)
        let a = try whole.run(count: 400, sampleShape: [2], seed: 2, process: labelled)
        let b = try cut.run(count: 400, sampleShape: [2], seed: 2, process: labelled)
        #expect(a.shards.count == 1 && b.shards.count > 1)
        #expect(a.samples == b.samples)
    }

    @Test func adaptiveSamplersRunUnderStepSizeControlInShards() throws {
        var noise = PerSampleNoise(seed: 3)
        let initial = Self.sde.samplePrior([200, 2], noise: &noise)
        let solver = try rk45()
        let whole = try runAdaptive(solver, process: exactProcess(Self.sde), times: [1, 1e-3], initial: initial)
        let sampling = ShardedSampling(sampler: solver, times: [1, 1e-3], rowsPerShard: 64)
        let sharded = try sampling.run(count: 200, sampleShape: [2], seed: 0, initial: initial) { _ in
            exactProcess(Self.sde)
        }
        #expect(sharded.shards.count > 1)
        #expect(sharded.samples == whole.solution)
        #expect(sharded.sampleEvaluationCounts == whole.sampleEvaluationCounts)
        #expect(sharded.rejectedStepCounts == whole.rejectedStepCounts)
    }

    @Test func adaptiveRunsSkipFinishedSamplesWithTheSameSteps() throws {
        var noise = PerSampleNoise(seed: 3)
        let initial = Self.sde.samplePrior([400, 2], noise: &noise)
        let solver = try rk45()
        let process = exactProcess(Self.sde)
        let compacted = try runAdaptive(
            solver, field: ProbabilityFlowField(process: process), from: 1, to: 1e-3, initial: initial)
        let whole = try runAdaptive(
            solver, field: WholeBatchField(process: process), from: 1, to: 1e-3, initial: initial)
        #expect(compacted.solution == whole.solution)
        #expect(compacted.sampleEvaluationCounts == whole.sampleEvaluationCounts)
        #expect(compacted.acceptedStepCounts == whole.acceptedStepCounts)
        #expect(compacted.evaluationCount == whole.evaluationCount)
        // Samples finish at different steps, so evaluating only unfinished rows saves work.
        #expect(Set(whole.sampleEvaluationCounts).count > 1)
    }

    @Test func restrictedProcessesKeepTheirRowsLabels() {
        let process = ModelReverseProcess(
            sde: Self.sde, parameterization: DenoisedPrediction(), model: ringMixture, labels: [4, 5, 6, 7])
        #expect(process.restricted(toRows: [3, 1])?.labels == [7, 5])
        let counted = CountingProcess(base: process)
        _ = counted.restricted(toRows: [0])?.denoised(Tensor.zeros([1, 2]), at: 0.5)
        #expect(counted.evaluationCount == 1, "a restricted copy counts into the same counter")
    }

    @Test func mapShardsRethrowsTheFirstFailingShard() {
        struct Failure: Error, Equatable { let shard: Int }
        #expect(throws: Failure(shard: 2)) {
            _ = try Compute.mapShards(count: 100, rows: 10) { (rows) throws(Failure) -> Int in
                if rows.lowerBound >= 20 { throw Failure(shard: rows.lowerBound / 10) }
                return rows.count
            }
        }
        #expect(Compute.mapShards(count: 25, rows: 10) { $0.count } == [9, 8, 8])
    }
}

/// Equal-shaped tensors stacked along a new first axis (a recording of draws).
func stacked(_ tensors: [Tensor]) -> Tensor {
    Tensor.concatenate(tensors, alongAxis: 0).reshaped([tensors.count] + tensors[0].shape)
}
