import ScoreKitCore

/// The computation shared by the denoising losses (DSM, flow matching, EDM): noise the data at
/// given times, regress the network output on its parameterization's target, weight each sample.
///
/// ```
/// x_t = α·x₀ + σ·ε,   F = F_θ(c_in·x_t, t, y),   F* = [(1 − c_skip·α)·x₀ − c_skip·σ·ε]/c_out
/// loss_i = w_i·‖F − F*‖²          (mean or sum over a sample's dimensions)
/// ```
/// Every error of the prediction is a multiple of the output error: x̂₀ − x₀ = c_out·(F − F*),
/// s_θ − s* = (α/σ²)·(x̂₀ − x₀), so each loss only chooses w_i from (t, marginal, coefficients).
/// Draws, in order: ε (one normal per scalar), then the label-dropout uniforms (only when p > 0
/// and the batch has labels).
struct DenoisingRegression: Sendable {
    var reduction: DenoisingScoreMatching.Reduction
    var labelDropout: Double

    func evaluate(
        _ batch: TrainingBatch, times: [Double], model: some ScoreModel, sde: some ForwardSDE,
        parameterization: some Parameterization, noise: inout some NoiseSource,
        outputWeight: (_ time: Double, _ marginal: Marginal, _ coefficients: Preconditioning) -> Double
    ) -> LossEvaluation {
        let data = batch.data
        let n = batch.count
        let eps = noise.normal(data.shape)
        let labels = LabelDropout.apply(batch.labels, probability: labelDropout, noise: &noise)
        let marginals = times.map { sde.marginal(at: $0) }

        // Per-sample coefficients, [N, 1, …] so that they broadcast over a sample.
        let column = [n] + [Int](repeating: 1, count: data.rank - 1)
        var alpha = [Float](), sigma = [Float](), inputScale = [Float]()
        var targetData = [Float](), targetNoise = [Float](), factor = [Float]()
        for (t, m) in zip(times, marginals) {
            let c = parameterization.preconditioning(for: m)
            alpha.append(Float(m.signalScale))
            sigma.append(Float(m.noiseScale))
            inputScale.append(Float(c.inputScale))
            // F* = a·x₀ + b·ε exactly, from x̂₀ = c_skip·(αx₀ + σε) + c_out·F* = x₀.
            targetData.append(Float((1 - c.skipScale * m.signalScale) / c.outputScale))
            targetNoise.append(Float(-c.skipScale * m.noiseScale / c.outputScale))
            factor.append(Float(outputWeight(t, m, c)))
        }
        func columnTensor(_ values: [Float]) -> Tensor { Tensor(values, shape: column) }

        let noisy = data * columnTensor(alpha) + eps * columnTensor(sigma)
        let input = inputScale.allSatisfy { $0 == 1 } ? noisy : noisy * columnTensor(inputScale)
        let condition = NoiseCondition(times: times, marginals: marginals, labels: labels)
        let output = model(input, condition)
        let target = data * columnTensor(targetData) + eps * columnTensor(targetNoise)
        let squared = square(output - target).reshaped([n, -1])
        let perDimension: Tensor
        switch reduction {
        case .mean: perDimension = squared.mean(alongAxis: 1)
        case .sum: perDimension = squared.sum(alongAxis: 1)
        }
        let perSample = perDimension * Tensor(factor)
        return LossEvaluation(value: perSample.mean(), times: times, perSample: perSample.detached())
    }
}
