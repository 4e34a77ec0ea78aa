public import ScoreKitCore

/// Explicit score matching: regression of the model's score on a known score (Hyvärinen 2005, eq. 2).
///
/// ```
/// L(θ) = E_x ½·λ(t)·‖s_θ(x, t) − ∇ₓ log p_t(x)‖²
/// ```
/// The target ∇ₓ log p_t comes from a `TargetScore` given in code (`init(configuration:target:)`
/// or `withTarget(_:)`), such as `PredictionTargetScore` around an exact model; the loss
/// depends on no concrete model. s_θ is the model's score through its parameterization. Data,
/// times, weighting and reduction as `sliced-score-matching`: `clean` (x₀ at `fixedTime`) or
/// `perturbed` (x_t at a drawn t, weighted by λ(t)). Useful for distillation and for testing
/// networks and optimisers against a known optimum; with the exact score of p_t its minimum is 0.
/// Draws, in order: times and ε (perturbed), then label-dropout uniforms.
/// - Note: Registered so that recipes can name it, but a recipe cannot supply the target: the
///   composition root attaches one (`TargetScoreLoss`) before training. The Runner attaches the
///   exact score of p_t when the data is an exact Gaussian mixture (`ring`, `grid`,
///   `gaussian-mixture`) and refuses the recipe at `validate` otherwise. Evaluating without a
///   target is a precondition failure.
public struct ExplicitScoreMatching: TargetScoreLoss {
    public let configuration: Configuration
    /// The known score, or `nil` until one is attached.
    public let target: (any TargetScore)?

    /// A loss without a target; attach one with `withTarget(_:)` before evaluating.
    public init(configuration: Configuration) {
        self.configuration = configuration
        target = nil
    }

    public init(configuration: Configuration, target: some TargetScore) {
        self.configuration = configuration
        self.target = target
    }

    /// This loss regressing on `target`.
    public func withTarget(_ target: some TargetScore) -> ExplicitScoreMatching {
        ExplicitScoreMatching(configuration: configuration, target: target)
    }

    public func evaluate(
        _ batch: TrainingBatch, model: some ScoreModel, sde: some ForwardSDE,
        parameterization: some Parameterization, noise: inout some NoiseSource
    ) -> LossEvaluation {
        guard let target else {
            preconditionFailure(
                "explicit-score-matching has no target score: attach one with withTarget(_:) (recipes cannot name one)")
        }
        let c = configuration
        let (inputs, labels) = c.inputs(batch, sde: sde, noise: &noise)
        let n = batch.count
        let d = batch.data.scalarCount / Swift.max(n, 1)
        let x = inputs.x.detached()
        let known = target.score(x, times: inputs.times, marginals: inputs.marginals, labels: labels).detached()
        precondition(known.shape == x.shape, "the target score has shape \(known.shape), the data \(x.shape)")
        let s = ModelScore.score(
            of: model, parameterization: parameterization, at: x, times: inputs.times, marginals: inputs.marginals,
            labels: labels)
        let squared = square(s - known).reshaped([n, d]).sum(alongAxis: 1) * 0.5
        let perSample = squared * c.perSampleScale(inputs, dimension: d)
        return LossEvaluation(value: perSample.mean(), times: inputs.times, perSample: perSample.detached())
    }
}

extension ExplicitScoreMatching: RegisteredComponent {
    public static let id: ComponentID = "explicit-score-matching"
    public static let summary =
        "Explicit score matching against a known score attached in code (exact models, distillation)"
}
