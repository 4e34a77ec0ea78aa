public import ScoreKitCore

/// Classifier-free guidance (Ho & Salimans 2021): the conditional and unconditional outputs of
/// one label-conditioned model, extrapolated by the guidance scale w.
///
/// ```
/// x̂₀ = x̂₀(x | ∅) + w·(x̂₀(x | c) − x̂₀(x | ∅))       computed as x̂₀_c + (w − 1)(x̂₀_c − x̂₀_∅)
/// ⇔ ε̂ = ε̂_∅ + w·(ε̂_c − ε̂_∅) ⇔ score = (1 − w)·∇log p_t(x) + w·∇log p_t(x | c)
/// ```
/// w is diffusers' `guidance_scale` (Ho & Salimans write 1 + w): w = 1 is the conditional model
/// exactly (bit for bit), w = 0 the unconditional one, w > 1 sharpens toward the class. The
/// combination is affine in x̂₀ at fixed x, so guiding x̂₀ is the same as guiding ε or the score.
/// A `ReverseProcess`, so every sampler gets it. One evaluation is one call of the model on a
/// batch of 2N: each sample with its label, then with `NoiseCondition.nullLabel` ("no class"),
/// as diffusers does; the model must be trained with label dropout to that label.
/// - Limitations: w > 1 does not sample any p(x | c) exactly (the guided score is not the score
///   of the noised guided distribution); large w saturates and loses diversity.
public struct ClassifierFreeGuidance<SDE: ForwardSDE, Target: Parameterization, Model: ScoreModel>: ReverseProcess {
    /// The model with each sample's class label.
    public var conditional: ModelReverseProcess<SDE, Target, Model>
    /// w, the guidance scale.
    public var scale: Double

    /// Guides `conditional`, whose `labels` give each sample's class, with scale w.
    /// - Precondition: `conditional.labels` is set.
    public init(conditional: ModelReverseProcess<SDE, Target, Model>, scale: Double) {
        precondition(conditional.labels != nil, "classifier-free guidance needs the class labels of the samples")
        precondition(scale.isFinite, "the guidance scale must be finite, got \(scale)")
        self.conditional = conditional
        self.scale = scale
    }

    public var sde: SDE { conditional.sde }

    public func denoised(_ x: Tensor, at time: Double) -> Tensor {
        guided(x) { $0.denoised($1, at: time) }
    }

    /// Rows at different times (adaptive solvers): the doubled batch keeps each row's time.
    public func denoised(_ x: Tensor, at times: [Double]) -> Tensor {
        guided(x) { $0.denoised($1, at: times + times) }
    }

    /// One evaluation of `evaluate` on [x; x] with labels [c; ∅], combined.
    private func guided(
        _ x: Tensor, _ evaluate: (ModelReverseProcess<SDE, Target, Model>, Tensor) -> Tensor
    ) -> Tensor {
        let n = x.shape[0]
        let labels = conditional.labels ?? []
        precondition(labels.count == n, "\(labels.count) labels for \(n) samples")
        var both = conditional
        both.labels = labels + Array(repeating: NoiseCondition.nullLabel, count: n)
        let output = evaluate(both, Tensor.concatenate([x, x], alongAxis: 0))
        let withClass = output.slice(alongAxis: 0, 0..<n)
        let withoutClass = output.slice(alongAxis: 0, n..<(2 * n))
        return withClass + (withClass - withoutClass) * Float(scale - 1)
    }
}
