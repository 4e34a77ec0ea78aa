public import ScoreKitCore
import ScoreKitNetworks

/// One optimisation step of a score model: loss, backward, clipping, update.
///
/// ```
/// θ ← update(θ, clip(∇_θ L(θ; batch, noise)))
/// ```
/// The graph of the step is freed before the update, so the optimizer writes the parameters in
/// place and memory returns after every step. A step whose loss or gradient norm is not finite,
/// or whose loss is above the ceiling it is given (`DivergenceGuard`), changes nothing
/// (`Report.refusal` says why): the model and the optimizer state stay as they were.
public struct TrainingStep<SDE: ForwardSDE, Target: Parameterization, Objective: Loss, Updater: Optimizer>: Sendable {
    public var sde: SDE
    public var parameterization: Target
    public var loss: Objective
    public var optimizer: Updater
    /// The global-norm clipping threshold, or `nil` for none.
    public var gradientClipNorm: Double?
    /// The rows of a batch shard (see `gradients(of:on:noise:)`); the cut depends on the batch
    /// size only, never on the thread count, so a run gives the same numbers on any machine.
    public var rowsPerShard: Int
    /// The ranks that share the batch's shards (`Collectives.single`: this process alone).
    public var collectives: Collectives

    public init(
        sde: SDE, parameterization: Target, loss: Objective, optimizer: Updater, gradientClipNorm: Double?,
        rowsPerShard: Int = 256, collectives: Collectives = .single
    ) {
        precondition(rowsPerShard >= 1, "rowsPerShard must be at least 1, got \(rowsPerShard)")
        self.sde = sde
        self.parameterization = parameterization
        self.loss = loss
        self.optimizer = optimizer
        self.gradientClipNorm = gradientClipNorm
        self.rowsPerShard = rowsPerShard
        self.collectives = collectives
    }

    /// What one step measured.
    public struct Report: Sendable {
        /// The loss before the update.
        public var loss: Float
        /// The global gradient norm before clipping.
        public var gradientNorm: Double
        /// The loss's per-sample terms and times, for per-t diagnostics.
        public var evaluation: LossEvaluation
        /// Why the update was not applied, or `nil` when it was.
        public var refusal: Refusal?

        /// Whether the update was applied.
        public var applied: Bool { refusal == nil }
    }

    /// Why a step was not applied.
    public enum Refusal: Sendable, Equatable {
        /// The batch loss is NaN or ±∞.
        case nonFiniteLoss
        /// The loss is finite, the global gradient norm is not.
        case nonFiniteGradient
        /// The loss is above the ceiling the step was given.
        case lossAboveCeiling(Double)
    }

    /// The gradients of the loss with respect to `model`'s parameters on `batch`.
    ///
    /// The batch is cut into shards of about `rowsPerShard` rows that run forward and backward on
    /// their own threads (`Compute.forEachShard`), each with the rows of the noise it would have
    /// drawn as one batch. A loss is the batch mean of its per-sample terms (the `Loss` contract),
    /// so shard k's gradient, weighted n_k/N, sums to the batch gradient; the sum runs in shard
    /// order. Noise sources that cannot be cut by rows run as one batch.
    public func gradients<Model: TrainableModel, Noise: NoiseSource>(
        of model: Model, on batch: TrainingBatch, noise: inout Noise
    ) -> (gradients: [Tensor], evaluation: LossEvaluation) {
        let result = gradientsWithNorm(of: model, on: batch, noise: &noise)
        return (result.gradients, result.evaluation)
    }

    /// `gradients(of:on:noise:)` with the global gradient norm, computed in the pass that sums
    /// the shards.
    func gradientsWithNorm<Model: TrainableModel, Noise: NoiseSource>(
        of model: Model, on batch: TrainingBatch, noise: inout Noise
    ) -> (gradients: [Tensor], evaluation: LossEvaluation, norm: Double) {
        let ranges = Compute.shardRanges(count: batch.count, rows: rowsPerShard)
        let shardNoise = ranges.count > 1 ? ranges.compactMap { noise.shard($0) } : []
        guard shardNoise.count == ranges.count, ranges.count > 1 else {
            let (gradients, evaluation) = shardGradients(of: model, on: batch, weight: 1, noise: &noise)
            return (gradients, evaluation, GradientClipping.globalNorm(gradients))
        }
        if collectives.isDistributed, ranges.count >= collectives.size {
            return distributedGradients(of: model, on: batch, ranges: ranges, shardNoise: shardNoise, noise: &noise)
        }
        let parts = shardParts(of: model, on: batch, ranges: ranges, shards: 0..<ranges.count, shardNoise: shardNoise)
        noise.advance(pastShard: parts[0].noise)
        return combine(parts.map { ($0.gradients, $0.evaluation) }, ranges: ranges, total: batch.count)
    }

    /// The gradients and evaluations of shards `shards` of `ranges`, in parallel, in order.
    /// Each shard runs as a region (`Compute.forEachShard(_:asRegion:_:)`: single-threaded BLAS),
    /// so a shard's bits do not depend on how many shards this process runs or on its threads.
    private func shardParts<Model: TrainableModel, Noise: NoiseSource>(
        of model: Model, on batch: TrainingBatch, ranges: [Range<Int>], shards: Range<Int>, shardNoise: [Noise]
    ) -> [(gradients: [Tensor], evaluation: LossEvaluation, noise: Noise)] {
        var results = [(gradients: [Tensor], evaluation: LossEvaluation, noise: Noise)?](
            repeating: nil, count: shards.count)
        let total = Double(batch.count)
        results.withUnsafeMutableBufferPointer { slots in
            let output = UncheckedSendable(slots)
            Compute.forEachShard(shards.count, asRegion: true) { i in
                let k = shards.lowerBound + i
                var shardNoise = shardNoise[k]
                let rows = ranges[k]
                let part = shardGradients(
                    of: model, on: batch.rows(rows), weight: Double(rows.count) / total, noise: &shardNoise)
                output.value[i] = (part.gradients, part.evaluation, shardNoise)
            }
        }
        return results.map { $0! }
    }

    /// The batch's gradients summed in shard order, the global norm and the loss's evaluation,
    /// from every shard's part (the same code for one process and for several ranks, so both
    /// give the same bits).
    private func combine(
        _ parts: [(gradients: [Tensor], evaluation: LossEvaluation)], ranges: [Range<Int>], total count: Int
    ) -> (gradients: [Tensor], evaluation: LossEvaluation, norm: Double) {
        let total = Double(count)
        let (sum, norm) = GradientClipping.sumWithGlobalNorm(parts.map(\.gradients))
        var value = 0.0
        for (k, part) in parts.enumerated() {
            value += Double(ranges[k].count) / total * Double(part.evaluation.value.scalar)
        }
        let evaluation = LossEvaluation(
            value: Tensor(Float(value)), times: parts.flatMap(\.evaluation.times),
            perSample: Tensor.concatenate(parts.map(\.evaluation.perSample), alongAxis: 0))
        return (sum, evaluation, norm)
    }

    /// Data-parallel gradients: this rank computes its block of the shards
    /// (`Collectives.block(of:)`), every rank's shard gradients and evaluations are exchanged,
    /// and every rank sums all of them in shard order as one process does: the same bits on any
    /// number of ranks, and the same update on every rank. Each shard's gradient crosses the
    /// network once per rank (an all-gather, not a reduction), which keeps the order of the sum.
    private func distributedGradients<Model: TrainableModel, Noise: NoiseSource>(
        of model: Model, on batch: TrainingBatch, ranges: [Range<Int>], shardNoise: [Noise], noise: inout Noise
    ) -> (gradients: [Tensor], evaluation: LossEvaluation, norm: Double) {
        let owned = collectives.block(of: ranges.count)
        let mine = shardParts(of: model, on: batch, ranges: ranges, shards: owned, shardNoise: shardNoise)
        // Every shard of per-sample noise advances alike; this rank's first stands for shard 0.
        noise.advance(pastShard: mine[0].noise)
        var payload = Payload()
        for part in mine {
            for gradient in part.gradients { payload.appendScalars(of: gradient) }
            payload.append([part.evaluation.value.scalar])
            payload.append(part.evaluation.perSample)
            payload.append(part.evaluation.times)
        }
        let frames = collectives.exchangeOrEnd(payload.bytes)
        let shapes = model.parameters.tensors.map(\.shape)
        var parts: [(gradients: [Tensor], evaluation: LossEvaluation)] = []
        parts.reserveCapacity(ranges.count)
        for (rank, frame) in frames.enumerated() {
            var reader = PayloadReader(frame)
            do throws(PayloadError) {
                for _ in collectives.block(of: ranges.count, rank: rank) {
                    var gradients: [Tensor] = []
                    gradients.reserveCapacity(shapes.count)
                    for shape in shapes { gradients.append(try reader.scalars(shape: shape)) }
                    let value = try reader.floats()
                    let perSample = try reader.tensor()
                    let times = try reader.doubles()
                    guard value.count == 1 else { throw PayloadError.truncated }
                    parts.append(
                        (gradients, LossEvaluation(value: Tensor(value[0]), times: times, perSample: perSample)))
                }
            } catch {
                collectives.end(RankFailure(rank: rank, size: collectives.size, message: error.description))
            }
        }
        return combine(parts, ranges: ranges, total: batch.count)
    }

    /// One shard's gradients, the backward seeded with `weight` (its share of the batch).
    private func shardGradients<Model: TrainableModel>(
        of model: Model, on batch: TrainingBatch, weight: Double, noise: inout some NoiseSource
    ) -> (gradients: [Tensor], evaluation: LossEvaluation) {
        var tracked = model
        tracked.parameters = model.parameters.tracked()
        let evaluation = Autodiff.withRecording {
            loss.evaluate(batch, model: tracked, sde: sde, parameterization: parameterization, noise: &noise)
        }
        let seed = weight == 1 ? nil : Tensor.full(evaluation.value.shape, Float(weight))
        let grads = ScoreKitCore.gradients(of: evaluation.value, wrt: tracked.parameters.tensors, seed: seed)
        var detached = evaluation
        detached.value = evaluation.value.detached()
        return (grads, detached)
    }

    /// Applies one step to `model` and `state`, unless the loss or the gradient norm is not
    /// finite or the loss is above `lossCeiling` (then both are left unchanged and
    /// `Report.refusal` says why).
    public func apply<Model: TrainableModel>(
        to model: inout Model, state: inout Updater.State, batch: TrainingBatch, learningRate: Double,
        lossCeiling: Double? = nil, noise: inout some NoiseSource
    ) -> Report {
        var (gradients, evaluation, norm) = gradientsWithNorm(of: model, on: batch, noise: &noise)
        let loss = evaluation.value.scalar
        if let refusal = Self.refusal(loss: loss, gradientNorm: norm, ceiling: lossCeiling) {
            return Report(loss: loss, gradientNorm: norm, evaluation: evaluation, refusal: refusal)
        }
        // As GradientClipping.clipByGlobalNorm, without computing the norm a second time.
        if let maxNorm = gradientClipNorm, maxNorm / (norm + 1e-6) < 1 {
            GradientClipping.scale(&gradients, by: Float(maxNorm / (norm + 1e-6)))
        }
        optimizer.update(&model.parameters, gradients: gradients, state: &state, learningRate: learningRate)
        return Report(loss: loss, gradientNorm: norm, evaluation: evaluation, refusal: nil)
    }

    /// Why a step with this loss and gradient norm is not applied, or `nil`.
    static func refusal(loss: Float, gradientNorm: Double, ceiling: Double?) -> Refusal? {
        if !loss.isFinite { return .nonFiniteLoss }
        if !gradientNorm.isFinite { return .nonFiniteGradient }
        if let ceiling, Double(loss) > ceiling { return .lossAboveCeiling(ceiling) }
        return nil
    }
}
