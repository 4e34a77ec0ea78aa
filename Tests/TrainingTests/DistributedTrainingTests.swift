import ScoreKitCore
import ScoreKitLosses
import ScoreKitNetworks
import ScoreKitRunner
import ScoreKitSDEs
import ScoreKitTesting
import Testing

/// Data-parallel training on ranks of one process (`LocalProcessGroup`, one thread a rank): the
/// same bits as one process, on every rank, whatever the rank count.
@Suite("Distributed training steps")
struct DistributedTrainingTests {
    /// Three steps of sliced score matching (double backward in each shard) on a batch of 300 in
    /// 3 shards of 100; the weights after them.
    static func train(collectives: Collectives) -> [[Float]] {
        var step = ShardedTrainingTests.step(rowsPerShard: 100)
        step.collectives = collectives
        var model = NoiseConditionalMLP(
            dimension: 2, embeddingWidth: 8, hiddenWidths: [32, 32], conditioning: .time, seed: 2)
        var state = step.optimizer.initialState(for: model.parameters)
        for k in 0..<3 {
            var noise = PerSampleNoise(seed: 5 + UInt64(k))
            _ = step.apply(
                to: &model, state: &state, batch: ShardedTrainingTests.batch(), learningRate: 1e-3, noise: &noise)
        }
        return model.parameters.tensors.map(\.scalars)
    }

    @Test(
        "2, 3 and 4 ranks give one process's weights bit for bit, on every rank (4 ranks: fewer shards than ranks)",
        arguments: [2, 3, 4])
    func ranksGiveTheOneProcessWeights(_ size: Int) {
        let reference = Self.train(collectives: .single)
        let ranks = LocalProcessGroup.run(size: size) { Self.train(collectives: $0) }
        for (rank, weights) in ranks.enumerated() {
            #expect(weights == reference, "rank \(rank) of \(size)")
        }
    }

    @Test("the exchange carries each step's shard gradients: one exchange a step on 2 ranks")
    func oneExchangeAStep() {
        let counts = LocalProcessGroup.run(size: 2) { collectives in
            _ = Self.train(collectives: collectives)
            return collectives.exchangeTime.count
        }
        #expect(counts == [3, 3])
    }
}
