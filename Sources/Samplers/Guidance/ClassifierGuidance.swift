public import ScoreKitCore

/// A classifier of noisy samples, for classifier guidance: ∇ₓ log p(c | x_t).
///
/// Any noise-conditional classifier (a network trained on noised data, or an exact posterior
/// such as the Gaussian mixture's p(k | x_t)) conforms by giving the gradient of its
/// log-probability of each sample's class.
public protocol NoiseConditionalClassifier: Sendable {
    /// ∇ₓ log p(c_i | x_t = x_i) for each sample i and its class `classes[i]`, shaped like `x`.
    func logProbabilityGradient(_ x: Tensor, classes: [Int], at time: Double, marginal: Marginal) -> Tensor
}

/// Classifier guidance (Dhariwal & Nichol 2021, Algorithm 1; Song et al. 2021, §5): the score
/// of a reverse process plus s times the gradient of a classifier's log-probability.
///
/// ```
/// score = ∇log p_t(x) + s·∇ₓ log p_t(c | x)
/// x̂₀    = x̂₀(x) + (σ²/α)·s·∇ₓ log p_t(c | x)         (x̂₀ = (x + σ²·score)/α)
/// ```
/// s = 1 with an exact classifier gives the exact conditional score ∇log p_t(x | c) (Bayes), so
/// any sampler then samples p(x | c); s > 1 sharpens (Dhariwal & Nichol's "classifier scale").
/// A `ReverseProcess` wrapper, so every sampler gets it; an evaluation counts the base model
/// once (the classifier's cost is its own).
/// - Limitations: a network classifier must be trained on noised inputs at every t; its
///   gradients are not those of the base model's implicit classifier, so s = 1 is exact only
///   for an exact classifier and model.
public struct ClassifierGuidance<Base: ReverseProcess, Classifier: NoiseConditionalClassifier>: ReverseProcess {
    /// The unconditional reverse process.
    public var base: Base
    /// The noisy-sample classifier.
    public var classifier: Classifier
    /// c_i, the class each sample is guided toward.
    public var classes: [Int]
    /// s, the classifier scale.
    public var scale: Double

    public init(base: Base, classifier: Classifier, classes: [Int], scale: Double) {
        precondition(scale.isFinite, "the classifier scale must be finite, got \(scale)")
        self.base = base
        self.classifier = classifier
        self.classes = classes
        self.scale = scale
    }

    public var sde: Base.SDE { base.sde }

    public func denoised(_ x: Tensor, at time: Double) -> Tensor {
        precondition(classes.count == x.shape[0], "\(classes.count) classes for \(x.shape[0]) samples")
        return base.denoised(x, at: time) + guidance(x, classes: classes, at: time)
    }

    /// Rows at different times (adaptive solvers): the classifier sees each time's rows together.
    public func denoised(_ x: Tensor, at times: [Double]) -> Tensor {
        precondition(classes.count == x.shape[0] && times.count == x.shape[0], "one class and time per sample")
        var term = Tensor.zeros(x.shape)
        for time in Set(times) {
            let rows = times.indices.filter { times[$0] == time }
            let part = guidance(x.gathering(rows: rows), classes: rows.map { classes[$0] }, at: time)
            term = term + part.scatteringAdd(rows: rows, into: x.shape)
        }
        return base.denoised(x, at: times) + term
    }

    /// (σ²/α)·s·∇ₓ log p_t(c | x).
    private func guidance(_ x: Tensor, classes: [Int], at time: Double) -> Tensor {
        let m = base.marginal(at: time)
        let gradient = classifier.logProbabilityGradient(x, classes: classes, at: time, marginal: m)
        return gradient * Float(scale * m.noiseScale * m.noiseScale / m.signalScale)
    }
}
