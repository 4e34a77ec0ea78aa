import ScoreKitCore
import ScoreKitLosses
import ScoreKitNetworks
import ScoreKitRunner
import ScoreKitSDEs
import ScoreKitTesting
import Testing

/// The training step cuts a batch into shards of rows that run on their own threads; the cut
/// depends on the batch size only, so the numbers do not depend on the thread count.
@Suite struct ShardedTrainingTests {
    static func step(
        rowsPerShard: Int
    ) -> TrainingStep<VariancePreservingSDE, EpsilonPrediction, SlicedScoreMatching, Adam> {
        TrainingStep(
            sde: VariancePreservingSDE(), parameterization: EpsilonPrediction(),
            loss: SlicedScoreMatching(configuration: .init()),
            optimizer: Adam(), gradientClipNorm: 1, rowsPerShard: rowsPerShard)
    }

    static func batch() -> TrainingBatch {
        var noise = PerSampleNoise(seed: 3)
        return TrainingBatch(data: noise.normal([300, 2]) * 2)
    }

    /// Sliced score matching differentiates through the model's Jacobian (gradients of gradients),
    /// the hardest case for a shard's backward.
    @Test func shardsGiveTheOneBatchGradients() {
        let model = NoiseConditionalMLP(
            dimension: 2, embeddingWidth: 8, hiddenWidths: [32, 32], conditioning: .time, seed: 1)
        var whole = PerSampleNoise(seed: 8)
        let reference = Self.step(rowsPerShard: 1_000).gradients(of: model, on: Self.batch(), noise: &whole)
        var cut = PerSampleNoise(seed: 8)
        let sharded = Self.step(rowsPerShard: 64).gradients(of: model, on: Self.batch(), noise: &cut)
        #expect(cut == whole, "the noise must advance as if drawn as one batch")
        #expect(abs(sharded.evaluation.value.scalar - reference.evaluation.value.scalar) <= 1e-5)
        // Matrix products of 64 rows and of 300 rows block their sums differently.
        #expect(maxAbsoluteDifference(sharded.evaluation.perSample, reference.evaluation.perSample) <= 1e-6)
        for (a, b) in zip(sharded.gradients, reference.gradients) {
            let scale = max(b.scalars.map(abs).max() ?? 0, 1e-6)
            let error = zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
            #expect(error <= 1e-5 * scale, "shard-summed gradient differs by \(error / scale) relative")
        }
    }

    @Test func stepsAreBitIdenticalOnOneAndTwoThreads() {
        func train(threads: Int) -> [Tensor] {
            withThreadCount(threads) { trainThreeSteps() }
        }
        func trainThreeSteps() -> [Tensor] {
            let step = Self.step(rowsPerShard: 100)
            var model = NoiseConditionalMLP(
                dimension: 2, embeddingWidth: 8, hiddenWidths: [32, 32], conditioning: .time, seed: 2)
            var state = step.optimizer.initialState(for: model.parameters)
            var noise = PerSampleNoise(seed: 5)
            for _ in 0..<3 {
                _ = step.apply(to: &model, state: &state, batch: Self.batch(), learningRate: 1e-3, noise: &noise)
            }
            return model.parameters.tensors
        }
        #expect(train(threads: 1) == train(threads: 2))
    }
}

func maxAbsoluteDifference(_ a: Tensor, _ b: Tensor) -> Float {
    zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
}
