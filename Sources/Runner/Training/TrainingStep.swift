public import ScoreKitCore
import ScoreKitNetworks

/// One optimisation step of a score model: loss, backward, clipping, update.
///
/// ```
/// θ ← update(θ, clip(∇_θ L(θ; batch, noise)))
/// ```
/// The graph of the step is freed before the update, so the optimizer writes the parameters in
/// place and memory returns after every step. A step whose loss or gradient norm is not finite
/// changes nothing (`Report.applied` is false): the model and the optimizer state stay as they
/// were, the last good state.
public struct TrainingStep<SDE: ForwardSDE, Target: Parameterization, Objective: Loss, Updater: Optimizer>: Sendable {
    public var sde: SDE
    public var parameterization: Target
    public var loss: Objective
    public var optimizer: Updater
    /// The global-norm clipping threshold, or `nil` for none.
    public var gradientClipNorm: Double?

    public init(sde: SDE, parameterization: Target, loss: Objective, optimizer: Updater, gradientClipNorm: Double?) {
        self.sde = sde
        self.parameterization = parameterization
        self.loss = loss
        self.optimizer = optimizer
        self.gradientClipNorm = gradientClipNorm
    }

    /// What one step measured.
    public struct Report: Sendable {
        /// The loss before the update.
        public var loss: Float
        /// The global gradient norm before clipping.
        public var gradientNorm: Double
        /// The loss's per-sample terms and times, for per-t diagnostics.
        public var evaluation: LossEvaluation
        /// Whether the update was applied: false when the loss or the gradient norm is not finite.
        public var applied: Bool
    }

    /// The gradients of the loss with respect to `model`'s parameters on `batch`.
    public func gradients<Model: TrainableModel>(
        of model: Model, on batch: TrainingBatch, noise: inout some NoiseSource
    ) -> (gradients: [Tensor], evaluation: LossEvaluation) {
        var tracked = model
        tracked.parameters = model.parameters.tracked()
        let evaluation = Autodiff.withRecording {
            loss.evaluate(batch, model: tracked, sde: sde, parameterization: parameterization, noise: &noise)
        }
        let grads = ScoreKitCore.gradients(of: evaluation.value, wrt: tracked.parameters.tensors)
        var detached = evaluation
        detached.value = evaluation.value.detached()
        return (grads, detached)
    }

    /// Applies one step to `model` and `state`, unless the loss or the gradient norm is not
    /// finite (then both are left unchanged and `Report.applied` is false).
    public func apply<Model: TrainableModel>(
        to model: inout Model, state: inout Updater.State, batch: TrainingBatch, learningRate: Double,
        noise: inout some NoiseSource
    ) -> Report {
        let (raw, evaluation) = gradients(of: model, on: batch, noise: &noise)
        let loss = evaluation.value.scalar
        let norm = GradientClipping.globalNorm(raw)
        guard loss.isFinite, norm.isFinite else {
            return Report(loss: loss, gradientNorm: norm, evaluation: evaluation, applied: false)
        }
        // As GradientClipping.clipByGlobalNorm, without computing the norm a second time.
        var clipped = raw
        if let maxNorm = gradientClipNorm, maxNorm / (norm + 1e-6) < 1 {
            clipped = raw.map { $0 * Float(maxNorm / (norm + 1e-6)) }
        }
        optimizer.update(&model.parameters, gradients: clipped, state: &state, learningRate: learningRate)
        return Report(loss: loss, gradientNorm: norm, evaluation: evaluation, applied: true)
    }
}
