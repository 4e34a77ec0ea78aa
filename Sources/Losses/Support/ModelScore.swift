import ScoreKitCore

/// The model's score s_θ(x, t) at per-sample times, through its parameterization, for the losses
/// that need the score itself rather than a regression target (sliced, implicit, explicit).
///
/// ```
/// x̂₀ = c_skip·x + c_out·F_θ(c_in·x, t, y),   s = (α·x̂₀ − x)/σ² = a·x + b·F_θ
/// a = (α·c_skip − 1)/σ²,   b = α·c_out/σ²
/// ```
/// a and b are formed in Double, so a score parameterization gives s = F_θ exactly (a = 0,
/// b = 1) even at small σ, where going through x̂₀ in Float32 would lose the output's digits.
/// Differentiable in x and θ (x may be tracked for ∇ₓs).
enum ModelScore {
    /// s_θ(x) for a batch `x` [N, …] at `marginals` (one per sample).
    /// - Precondition: σ > 0 for every sample.
    static func score(
        of model: some ScoreModel, parameterization: some Parameterization, at x: Tensor, times: [Double],
        marginals: [Marginal], labels: [Int]?
    ) -> Tensor {
        let n = x.shape[0]
        let column = [n] + [Int](repeating: 1, count: x.rank - 1)
        var a = [Float](), b = [Float](), inputScale = [Float]()
        for (t, m) in zip(times, marginals) {
            precondition(m.noiseScale > 0, "the model's score needs σ > 0; σ(\(t)) = \(m.noiseScale)")
            let c = parameterization.preconditioning(for: m)
            let variance = m.noiseScale * m.noiseScale
            a.append(Float((m.signalScale * c.skipScale - 1) / variance))
            b.append(Float(m.signalScale * c.outputScale / variance))
            inputScale.append(Float(c.inputScale))
        }
        let input = inputScale.allSatisfy { $0 == 1 } ? x : x * Tensor(inputScale, shape: column)
        let output = model(input, NoiseCondition(times: times, marginals: marginals, labels: labels))
        let scaled = output * Tensor(b, shape: column)
        return a.allSatisfy { $0 == 0 } ? scaled : scaled + x * Tensor(a, shape: column)
    }
}

/// Where the Jacobian-type losses (sliced, implicit, explicit) take their inputs from.
public enum ScoreMatchingData: String, Codable, Sendable, CaseIterable {
    /// x = x₀, the data itself, with the model evaluated at the fixed time `fixedTime`
    /// (clamped into the process's range; σ there must be > 0): the score of p_data.
    case clean
    /// x = α(t)·x₀ + σ(t)·ε at a drawn t: the score of p_t (NCSN-style training).
    case perturbed
}

/// The inputs of a Jacobian-type loss: x, times and marginals per sample.
struct ScoreMatchingInputs {
    var x: Tensor
    var times: [Double]
    var marginals: [Marginal]

    /// Draws, in order: the times (perturbed), ε (perturbed). Clean data draws nothing.
    static func make(
        _ batch: TrainingBatch, data: ScoreMatchingData, fixedTime: Double, sampling: TimeSampling,
        sde: some ForwardSDE, noise: inout some NoiseSource
    ) -> ScoreMatchingInputs {
        let n = batch.count
        switch data {
        case .clean:
            let range = sde.timeRange
            let t = Swift.min(Swift.max(fixedTime, range.lowerBound), range.upperBound)
            let m = sde.marginal(at: t)
            return ScoreMatchingInputs(
                x: batch.data, times: [Double](repeating: t, count: n), marginals: [Marginal](repeating: m, count: n))
        case .perturbed:
            let times = sampling.draw(count: n, sde: sde, noise: &noise)
            let marginals = times.map { sde.marginal(at: $0) }
            let eps = noise.normal(batch.data.shape)
            let column = [n] + [Int](repeating: 1, count: batch.data.rank - 1)
            let alpha = Tensor(marginals.map { Float($0.signalScale) }, shape: column)
            let sigma = Tensor(marginals.map { Float($0.noiseScale) }, shape: column)
            return ScoreMatchingInputs(x: batch.data * alpha + eps * sigma, times: times, marginals: marginals)
        }
    }

    /// λ(t) per sample: 1 on clean data, the weighting on perturbed data.
    func weights(
        data: ScoreMatchingData, weighting: DenoisingScoreMatching.Weighting, gamma: Double
    ) -> [Float] {
        switch data {
        case .clean: return [Float](repeating: 1, count: times.count)
        case .perturbed: return marginals.map { Float(weighting.value(for: $0, gamma: gamma)) }
        }
    }
}
