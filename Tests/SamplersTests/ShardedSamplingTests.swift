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

@Suite("Sampling in shards and adaptive runs on unfinished samples only")
struct ShardedSamplingTests {
    static let sde = VariancePreservingSDE()

    @Test func shardsGiveTheSamplesOfOneRun() throws {
        let times = uniformTimes(steps: 50, to: 1e-3)
        var prior = PerSampleNoise(seed: 7)
        let initial = Self.sde.samplePrior([1_000, 2], noise: &prior)
        var whole = prior
        let reference = try runSampler(
            EulerMaruyamaSampler(), process: exactProcess(Self.sde), times: times, initial: initial, noise: &whole)
        var cut = prior
        let sharded = try runSamplerInShards(
            EulerMaruyamaSampler(), process: exactProcess(Self.sde), times: times, initial: initial, noise: &cut,
            rowsPerShard: 130)
        #expect(sharded.samples == reference.samples)
        #expect(sharded.evaluationCount == reference.evaluationCount)
        #expect(cut == whole, "the noise must advance as one run's")
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
        #expect((try? Compute.mapShards(count: 25, rows: 10) { $0.count }) == [9, 8, 8])
    }
}
