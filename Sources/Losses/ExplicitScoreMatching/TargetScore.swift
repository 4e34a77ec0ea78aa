public import ScoreKitCore

/// A known score ∇ₓ log p_t(x) to regress on: the target of `explicit-score-matching`.
///
/// Given in code, never by recipe: an exact model (the Gaussian mixture of the "checks that
/// need no training"), a teacher network, or a closure. The loss calls it on untracked inputs
/// and detaches the result.
public protocol TargetScore: Sendable {
    /// ∇ₓ log p_t(x) for a batch `x` [N, …] at one time and marginal per sample.
    func score(_ x: Tensor, times: [Double], marginals: [Marginal], labels: [Int]?) -> Tensor
}

/// A loss that regresses on a known score given in code (`TargetScore`), such as
/// `explicit-score-matching`: a recipe cannot name the target, so the composition root attaches
/// one (`withTarget(_:)`) before training, for example the exact score of mixture data, and
/// refuses the recipe when it has none.
///
/// A refinement, not a flag (STYLE.md §4): the Runner asks `loss as? any TargetScoreLoss`.
public protocol TargetScoreLoss: Loss {
    /// The known score, or `nil` until one is attached.
    var target: (any TargetScore)? { get }
    /// This loss regressing on `target`.
    func withTarget(_ target: some TargetScore) -> Self
}

/// The score of a `ScoreModel` whose output is a known `Prediction` (ε, score, x₀, v or u), with
/// c_in = 1: for example an exact model that outputs ε.
///
/// ```
/// x̂₀ = c_skip·x + c_out·F(x, t),   s = (α·x̂₀ − x)/σ²
/// ```
/// with the coefficients of `prediction` at each sample's marginal (`Prediction.preconditioning`).
public struct PredictionTargetScore<Model: ScoreModel>: TargetScore {
    public var model: Model
    /// What `model` outputs.
    public var prediction: Prediction

    public init(model: Model, prediction: Prediction) {
        self.model = model
        self.prediction = prediction
    }

    public func score(_ x: Tensor, times: [Double], marginals: [Marginal], labels: [Int]?) -> Tensor {
        Autodiff.withoutRecording {
            ModelScore.score(
                of: model, parameterization: FixedPrediction(prediction: prediction), at: x.detached(), times: times,
                marginals: marginals, labels: labels)
        }
    }
}

/// A target score given by a closure.
public struct ClosureTargetScore: TargetScore {
    public let body: @Sendable (_ x: Tensor, _ times: [Double], _ marginals: [Marginal], _ labels: [Int]?) -> Tensor

    public init(
        _ body:
            @escaping @Sendable (_ x: Tensor, _ times: [Double], _ marginals: [Marginal], _ labels: [Int]?) -> Tensor
    ) {
        self.body = body
    }

    public func score(_ x: Tensor, times: [Double], marginals: [Marginal], labels: [Int]?) -> Tensor {
        body(x, times, marginals, labels)
    }
}

/// A parameterization that is one `Prediction` with c_in = 1.
private struct FixedPrediction: Parameterization {
    let prediction: Prediction
    func preconditioning(for marginal: Marginal) -> Preconditioning { prediction.preconditioning(for: marginal) }
}
