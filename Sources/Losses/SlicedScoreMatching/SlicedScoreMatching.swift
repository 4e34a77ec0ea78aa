public import ScoreKitCore

/// Sliced score matching (Song, Garg, Shi & Ermon 2019): Hyvärinen's objective with the Jacobian
/// trace replaced by random projections, so it needs one backward pass per projection, not per dimension.
///
/// ```
/// SSM      J(θ) = E_x E_v [ vᵀ∇ₓ(vᵀs_θ(x)) + ½(vᵀs_θ(x))² ]          (eq. 6)
/// SSM-VR   J(θ) = E_x E_v [ vᵀ∇ₓ(vᵀs_θ(x)) ] + ½‖s_θ(x)‖²            (eq. 8, variance reduced)
/// J(θ) = ½E‖s_θ − ∇log p‖² + const      for E[vvᵀ] = I (Gaussian or Rademacher v)
/// ```
/// vᵀ∇ₓ(vᵀs) = vᵀ(∂s/∂x)v is taken by reverse mode with `createGraph: true`, so the parameter
/// gradient flows through it (double backward). M = `projectionCount` projections per sample are
/// averaged. s_θ is the model's score through its parameterization (any target). On `clean`
/// data it is evaluated at x₀ and the fixed time `fixedTime` (the score of the data); on
/// `perturbed` data at x_t = αx₀ + σε for a drawn t, weighted by λ(t): NCSN trained with SSM
/// (Song & Ermon 2019, §4.2; "SSM on noise-perturbed data"). `reduction: mean` divides each
/// sample's J by its dimension D, so values compare with DSM's `mean` up to a constant.
/// Draws, in order: times and ε (perturbed), label-dropout uniforms, then the N × M × D projections.
/// - Note: rows must be independent (no batch statistics), as ∇ₓ of Σ_i vᵢᵀsᵢ gives every row's
///   Jacobian-vector product in one pass.
public struct SlicedScoreMatching: Loss {
    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public func evaluate(
        _ batch: TrainingBatch, model: some ScoreModel, sde: some ForwardSDE,
        parameterization: some Parameterization, noise: inout some NoiseSource
    ) -> LossEvaluation {
        let c = configuration
        let (inputs, labels) = c.inputs(batch, sde: sde, noise: &noise)
        let n = batch.count
        let d = batch.data.scalarCount / Swift.max(n, 1)
        let m = c.projectionCount
        let projections: Tensor
        switch c.projection {
        case .gaussian: projections = noise.normal([n, m * d])
        case .rademacher: projections = noise.rademacher([n, m * d])
        }
        let objective = recordingJacobians {
            let x = inputs.x.tracked()
            let s = ModelScore.score(
                of: model, parameterization: parameterization, at: x, times: inputs.times, marginals: inputs.marginals,
                labels: labels
            ).reshaped([n, d])
            var trace = Tensor.zeros([n])
            var projected = Tensor.zeros([n])
            for k in 0..<m {
                let v = projections.slice(alongAxis: 1, (k * d)..<((k + 1) * d))
                let vs = Tensor.rowDot(v, s)
                if vs.isTracked {
                    // Rows are independent: a seed of ones gives every row's ∇ₓ(vᵢᵀsᵢ) at once.
                    let jv = gradients(of: vs, wrt: [x], createGraph: true)[0].reshaped([n, d])
                    trace = trace + Tensor.rowDot(v, jv)
                }
                if c.variant == .standard { projected = projected + square(vs) * 0.5 }
            }
            let quadratic = c.variant == .standard ? projected : square(s).sum(alongAxis: 1) * 0.5
            let perProjection =
                c.variant == .standard ? (trace + quadratic) * (1 / Float(m)) : trace * (1 / Float(m)) + quadratic
            return perProjection * c.perSampleScale(inputs, dimension: d)
        }
        return LossEvaluation(value: objective.mean(), times: inputs.times, perSample: objective.detached())
    }
}

extension SlicedScoreMatching: RegisteredComponent {
    public static let id: ComponentID = "sliced-score-matching"
    public static let summary =
        "Sliced score matching (SSM, SSM-VR) with Gaussian or Rademacher projections, clean or perturbed data"
}
