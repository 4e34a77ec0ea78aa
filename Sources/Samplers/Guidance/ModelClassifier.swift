public import ScoreKitCore

/// A trained noise-conditional classifier network as a `NoiseConditionalClassifier`: its
/// gradient ∇ₓ log p_φ(c | x_t) by reverse-mode differentiation through the network.
///
/// ```
/// z = f_φ(x, t)                          logits [N, K] (a `ClassifierArchitecture`'s model)
/// log p_φ(c_i | x_i) = z_ic − log Σ_k exp z_ik
/// ∇ₓ Σ_i log p_φ(c_i | x_i)              row i is ∇ log p_φ(c_i | x_i): rows are independent
/// ```
/// The weights are constants here; only x is tracked (Dhariwal & Nichol 2021, Algorithm 1's
/// ∇ₓ log p_φ(y | x_t)). One forward and one backward pass of the classifier per evaluation.
public struct ModelClassifier<Model: ScoreModel>: NoiseConditionalClassifier {
    /// The classifier network: logits `[N, K]` from x_t and the noise condition.
    public var model: Model

    public init(model: Model) {
        self.model = model
    }

    public func logProbabilityGradient(_ x: Tensor, classes: [Int], at time: Double, marginal: Marginal) -> Tensor {
        precondition(classes.count == x.shape[0], "\(classes.count) classes for \(x.shape[0]) samples")
        let condition = NoiseCondition(count: x.shape[0], time: time, marginal: marginal)
        return valueWithGradient(at: x) { input in
            classLogProbability(logits: model(input, condition), classes: classes).sum()
        }.gradient
    }
}
