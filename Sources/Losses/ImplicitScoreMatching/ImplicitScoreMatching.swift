public import ScoreKitCore

/// Implicit score matching (Hyvärinen 2005) with the exact Jacobian trace, for small dimensions.
///
/// ```
/// J(θ) = E_x [ tr(∇ₓs_θ(x)) + ½‖s_θ(x)‖² ] = ½E‖s_θ − ∇log p‖² + const       (Theorem 1)
/// tr(∇ₓs) = Σ_j ∂s_j/∂x_j,   one backward pass per dimension j with seed e_j
/// ```
/// The D backward passes are recorded (`createGraph: true`), so the parameter gradient flows
/// through the trace; cost grows as D × (one backward), so this is for D up to a few dozen
/// (use `sliced-score-matching` above that). s_θ is the model's score through its
/// parameterization. Data, times, weighting and reduction as `sliced-score-matching`: `clean`
/// (x₀ at `fixedTime`, the score of the data) or `perturbed` (x_t at a drawn t, weighted by λ(t)).
/// Draws, in order: times and ε (perturbed), then label-dropout uniforms.
public struct ImplicitScoreMatching: Loss {
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
        let objective = recordingJacobians {
            let x = inputs.x.tracked()
            let s = ModelScore.score(
                of: model, parameterization: parameterization, at: x, times: inputs.times, marginals: inputs.marginals,
                labels: labels
            ).reshaped([n, d])
            var trace = Tensor.zeros([n, 1])
            if s.isTracked {
                for j in 0..<d {
                    // Seed e_j on every row: row i of the result is ∇ₓᵢ s_ij.
                    let seed = Self.oneHot(j, n: n, d: d)
                    let row = gradients(of: s, wrt: [x], seed: seed, createGraph: true)[0].reshaped([n, d])
                    trace = trace + row.slice(alongAxis: 1, j..<(j + 1))
                }
            }
            let perSample = trace.reshaped([n]) + square(s).sum(alongAxis: 1) * 0.5
            return perSample * c.perSampleScale(inputs, dimension: d)
        }
        return LossEvaluation(value: objective.mean(), times: inputs.times, perSample: objective.detached())
    }

    /// [N, D] with ones in column j.
    static func oneHot(_ j: Int, n: Int, d: Int) -> Tensor {
        Tensor(shape: [n, d]) { buffer in
            buffer.initialize(repeating: 0)
            for i in 0..<n { buffer[i * d + j] = 1 }
        }
    }
}

extension ImplicitScoreMatching: RegisteredComponent {
    public static let id: ComponentID = "implicit-score-matching"
    public static let summary =
        "Hyvärinen's implicit score matching with the exact Jacobian trace (D backward passes; small D)"
}
