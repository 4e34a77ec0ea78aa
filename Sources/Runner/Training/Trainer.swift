public import ScoreKitCore
public import ScoreKitNetworks

/// What training changes: the weights, the optimizer's moments, the weight average, the step.
///
/// Nothing else is needed to continue a run: every random stream of step n derives from
/// (recipe seed, n) (`TrainingPlan.batchSeed(step:)`, `noiseSeed(step:)`), so a checkpoint of
/// this state and the seed resumes bit for bit.
public struct TrainingState: Sendable {
    /// Steps done.
    public var step: Int
    /// The network with its current weights.
    public var model: any TrainableModel
    /// The optimizer's state (an `Optimizer.State` of the plan's optimizer).
    public var optimizerState: any OptimizerState
    /// θ̄, the exponential moving average of the weights.
    public var average: ExponentialMovingAverage.State
    /// The losses of the last applied steps, which the divergence guard compares a step's loss
    /// with (`DivergenceGuard`); checkpointed, so a resumed run stops where it would have.
    public var recentLosses = DivergenceGuard.makeWindow()

    /// The network with the averaged weights, as sampling and evaluation use it.
    public var averagedModel: any TrainableModel {
        var copy = model
        copy.parameters = average.average
        return copy
    }
}

/// The training loop over a `TrainingPlan`: each step draws its batch and noise from its own
/// streams, runs `TrainingStep` (loss, backward, clip, update; the graph is freed before the
/// optimizer writes the weights in place), updates the weight average and records diagnostics.
///
/// ```
/// step n (0-based): rows  ~ U{0 … N − 1}, batchSize of them, from stream 0 of batchSeed(n)
///                   noise = PerSampleNoise(seed: noiseSeed(n))    (times, ε, label dropout)
///                   η_n   = learningRateSchedule(n) · learningRate
///                   θ ← TrainingStep(θ; batch, noise, η_n);  θ̄ ← EMA(θ̄, θ)
/// ```
/// Bit-reproducible from the seed: no draw depends on timing, threads or how the run was cut
/// into invocations. The run stops with `TrainingError.diverged` when a step's loss or gradient
/// is not finite or its loss is above `training.divergenceFactor` × the running median of the
/// recent losses (`DivergenceGuard`; the step is not applied, the state stays at the last
/// applied step), or when an applied update leaves a weight or optimizer tensor non-finite
/// (checked after every update; the state is then that bad one).
public struct Trainer: Sendable {
    /// Components, settings and data.
    public let plan: TrainingPlan
    /// The ranks that share each batch (`TrainingStep.collectives`); every rank holds the same
    /// state after every step.
    public let collectives: Collectives

    /// A trainer for `plan`, on `collectives`' ranks (default: this process alone).
    public init(plan: TrainingPlan, collectives: Collectives = .single) {
        self.plan = plan
        self.collectives = collectives
    }

    /// Step 0: fresh weights from the plan's model seed, fresh optimizer state, θ̄ = θ.
    public func initialState() -> TrainingState {
        let model = plan.network.makeModel(
            sampleShape: plan.data.sampleShape, classCount: plan.data.classCount, seed: plan.modelSeed)
        return TrainingState(
            step: 0, model: model, optimizerState: plan.optimizer.initialState(for: model.parameters),
            average: plan.configuration.ema.initialState(for: model.parameters))
    }

    /// Fresh diagnostics for the plan's process and bin count.
    public func makeDiagnostics() -> TrainingDiagnostics {
        TrainingDiagnostics(binCount: plan.configuration.timeBinCount, timeRange: plan.sde.timeRange)
    }

    /// Runs steps until `state.step == stop`, recording each in `diagnostics` and reporting it to `onStep`.
    /// - Throws: `TrainingError.diverged`: for a refused step the state keeps the last applied
    ///   one; for a non-finite weight or optimizer state it holds that state.
    public func train(
        _ state: inout TrainingState, until stop: Int, diagnostics: inout TrainingDiagnostics,
        onStep: (TrainingProgress) -> Void = { _ in }
    ) throws(TrainingError) {
        guard state.step < stop else { return }
        try Self.run(
            model: &state.model, optimizerState: &state.optimizerState, average: &state.average,
            recentLosses: &state.recentLosses, step: &state.step, until: stop, plan: plan, sde: plan.sde,
            parameterization: plan.parameterization, loss: plan.loss,
            optimizer: plan.optimizer, collectives: collectives, diagnostics: &diagnostics, onStep: onStep)
    }

    /// The loop with every component's concrete type opened once.
    private static func run<M: TrainableModel, S: ForwardSDE, P: Parameterization, L: Loss, O: Optimizer>(
        model: inout M, optimizerState erased: inout any OptimizerState, average: inout ExponentialMovingAverage.State,
        recentLosses: inout RunningMedian, step: inout Int, until stop: Int, plan: TrainingPlan, sde: S,
        parameterization: P, loss: L, optimizer: O, collectives: Collectives,
        diagnostics: inout TrainingDiagnostics, onStep: (TrainingProgress) -> Void
    ) throws(TrainingError) {
        guard var optimizerState = erased as? O.State else {
            preconditionFailure("the optimizer state \(type(of: erased)) is not \(O.State.self)")
        }
        erased = DetachedOptimizerState()  // the loop's copy is the only reference: updates stay in place
        defer { erased = optimizerState }
        let configuration = plan.configuration
        let data = plan.data.training
        let trainingStep = TrainingStep(
            sde: sde, parameterization: parameterization, loss: loss, optimizer: optimizer,
            gradientClipNorm: configuration.clipNorm, rowsPerShard: configuration.rowsPerShard,
            collectives: collectives)
        let divergenceGuard = DivergenceGuard(factor: configuration.divergenceFactor)
        while step < stop {
            let learningRate = configuration.learningRateSchedule.learningRate(
                atStep: step, peak: configuration.learningRate, stepCount: configuration.steps)
            let batch = Self.batch(of: data, size: configuration.batchSize, seed: plan.batchSeed(step: step))
            var noise = PerSampleNoise(seed: plan.noiseSeed(step: step))
            let report = trainingStep.apply(
                to: &model, state: &optimizerState, batch: batch, learningRate: learningRate,
                lossCeiling: divergenceGuard.ceiling(given: recentLosses), noise: &noise)
            let cause: TrainingError.Divergence.Cause? =
                switch report.refusal {
                case .nonFiniteLoss: .nonFiniteLoss
                case .nonFiniteGradient: .nonFiniteGradient
                case .lossAboveCeiling: .lossAboveCeiling(factor: divergenceGuard.factor)
                case nil: Self.firstNonFiniteTensor(of: model.parameters, optimizerState).map { .nonFiniteState($0) }
                }
            if let cause {
                throw .diverged(
                    Self.divergence(
                        report, cause: cause, step: step, plan: plan, learningRate: learningRate,
                        batchSize: batch.count, recent: recentLosses))
            }
            configuration.ema.update(&average, toward: model.parameters)
            recentLosses.record(Double(report.loss))
            diagnostics.record(
                loss: report.loss, gradientNorm: report.gradientNorm, learningRate: learningRate,
                evaluation: report.evaluation)
            step += 1
            onStep(
                TrainingProgress(
                    step: step, stepCount: configuration.steps, loss: report.loss, learningRate: learningRate))
        }
    }

    /// `size` rows drawn with replacement from `data`, by stream 0 of `seed`.
    static func batch(of data: DataSet, size: Int, seed: UInt64) -> TrainingBatch {
        var stream = RandomStream(seed: seed, stream: 0)
        let rows = (0..<size).map { _ in stream.nextInt(below: data.count) }
        return TrainingBatch(
            data: data.samples.gathering(rows: rows), labels: data.labels.map { l in rows.map { l[$0] } })
    }

    private static func divergence(
        _ report: TrainingStep<some ForwardSDE, some Parameterization, some Loss, some Optimizer>.Report,
        cause: TrainingError.Divergence.Cause, step: Int, plan: TrainingPlan, learningRate: Double, batchSize: Int,
        recent: RunningMedian
    ) -> TrainingError.Divergence {
        var times: [Double] = []
        if cause == .nonFiniteLoss {
            times = report.evaluation.times
            if times.count == report.evaluation.perSample.scalarCount {
                let bad = zip(times, report.evaluation.perSample.scalars).filter { !$0.1.isFinite }.map(\.0)
                if !bad.isEmpty { times = bad }
            }
        }
        return TrainingError.Divergence(
            step: step + 1, stepCount: plan.configuration.steps, cause: cause, loss: report.loss,
            runningMedian: recent.median, medianCount: recent.count, gradientNorm: report.gradientNorm,
            learningRate: learningRate, times: times, sampleCount: batchSize)
    }

    /// The first weight or optimizer tensor holding NaN or ±∞, named as in a checkpoint; names
    /// are only made for a bad one, so the check costs one pass over the values per step.
    static func firstNonFiniteTensor(of parameters: ParameterSet, _ state: some OptimizerState) -> NonFiniteTensor? {
        for (i, tensor) in parameters.tensors.enumerated() where !tensor.isFinite {
            return NonFiniteTensor.first(in: [(name: "model." + parameters.names[i], tensor: tensor)])
        }
        for entry in state.tensors where !entry.tensor.isFinite {
            return NonFiniteTensor.first(in: [(name: "optimizer." + entry.name, tensor: entry.tensor)])
        }
        return nil
    }

    /// The loss of `model` on the held-out data, averaged over its samples, with the same
    /// noise at every call (`TrainingPlan.evaluationSeed`); `nil` without held-out data.
    public func heldOutLoss(of model: any ScoreModel) -> Double? {
        guard let heldOut = plan.data.heldOut else { return nil }
        return Autodiff.withoutRecording {
            Self.meanLoss(
                of: model, on: heldOut, batchSize: plan.configuration.batchSize, seed: plan.evaluationSeed,
                sde: plan.sde, parameterization: plan.parameterization, loss: plan.loss)
        }
    }

    private static func meanLoss(
        of model: some ScoreModel, on data: DataSet, batchSize: Int, seed: UInt64, sde: some ForwardSDE,
        parameterization: some Parameterization, loss: some Loss
    ) -> Double {
        var total = 0.0
        var start = 0
        while start < data.count {
            let rows = Array(start..<Swift.min(start + batchSize, data.count))
            let batch = TrainingBatch(
                data: data.samples.gathering(rows: rows), labels: data.labels.map { l in rows.map { l[$0] } })
            var noise = PerSampleNoise(seed: seed, firstSample: start)
            let value = loss.evaluate(batch, model: model, sde: sde, parameterization: parameterization, noise: &noise)
            total += Double(value.value.scalar) * Double(rows.count)
            start += batchSize
        }
        return total / Double(Swift.max(data.count, 1))
    }
}

/// Stands in for the optimizer state while the loop holds it, so the loop's copy is unique.
private struct DetachedOptimizerState: OptimizerState {
    var tensors: [(name: String, tensor: Tensor)] { [] }
    var stepCount: Int { 0 }
}
