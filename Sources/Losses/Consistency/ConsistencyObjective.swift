import Foundation
public import ScoreKitCore

/// The computation shared by consistency distillation and consistency training (Song et al. 2023,
/// Algorithms 2 and 3): the model's consistency function at two adjacent noise levels of a Karras
/// discretisation, the nearer one with the gradient stopped.
///
/// ```
/// σ_i = (σ_min^{1/ρ} + (i−1)/(N−1)·(σ_max^{1/ρ} − σ_min^{1/ρ}))^ρ,   i = 1 … N     (σ̃ = σ/α of the process)
/// n ~ U{1 … N−1},   z ~ N(0, I),   x̃_{n+1} = x₀ + σ_{n+1}·z
/// x̃_n = x₀ + σ_n·z                                   (training: the same z)
/// x̃_n = one Heun step of the teacher's PF-ODE dx̃/dσ̃ = (x̃ − D(x̃; σ̃))/σ̃ from σ_{n+1} to σ_n   (distillation)
/// loss_i = λ_n·d(f_θ(x̃_{n+1}, σ_{n+1}), stopgrad f_θ(x̃_n, σ_n))
/// ```
/// f_θ is the denoised estimate of the parameterization (`consistency`: the identity at σ_min).
/// The target network θ⁻ is θ with the gradient stopped (μ = 0, as improved consistency training
/// uses; Song & Dhariwal 2023): the loss sees only the model it trains. d is the squared L2
/// distance (mean over a sample's values) or the pseudo-Huber distance √(‖a − b‖² + c²) − c with
/// c = 0.00054·√d; λ_n is 1 or 1/(σ_{n+1} − σ_n). Draws, in order: n (one uniform per sample),
/// z (one normal per value). The times reported are those of σ_{n+1}.
struct ConsistencyObjective: Sendable {
    var stepCount: Int
    var rho: Double
    var distance: ConsistencyDistance
    var weighting: ConsistencyWeighting

    /// σ_1 < … < σ_N of the process (σ_1 = σ/α at its smallest time, σ_N at its largest).
    func noiseLevels(for sde: some ForwardSDE) -> [Double] {
        let range = sde.timeRange
        let low = Foundation.pow(sde.marginal(at: range.lowerBound).noiseLevel, 1 / rho)
        let high = Foundation.pow(sde.marginal(at: range.upperBound).noiseLevel, 1 / rho)
        return (0..<stepCount).map { i in
            Foundation.pow(low + Double(i) / Double(stepCount - 1) * (high - low), rho)
        }
    }

    /// The time of the process at noise level σ_i (the ends of the range exactly).
    static func time(ofLevel index: Int, levels: [Double], sde: some ForwardSDE) -> Double {
        let range = sde.timeRange
        if index == 0 { return range.lowerBound }
        if index == levels.count - 1 { return range.upperBound }
        let t = sde.time(forLogSignalToNoiseRatio: -2 * Foundation.log(levels[index]))
        return Swift.min(Swift.max(t, range.lowerBound), range.upperBound)
    }

    func evaluate(
        _ batch: TrainingBatch, model: some ScoreModel, sde: some ForwardSDE, parameterization: some Parameterization,
        noise: inout some NoiseSource, teacher: (any ReverseProcess)?
    ) -> LossEvaluation {
        let data = batch.data
        let n = batch.count
        let levels = noiseLevels(for: sde)
        let u = noise.uniform([n]).scalars
        let lower = u.map { Swift.min(Int(Double($0) * Double(stepCount - 1)), stepCount - 2) }
        let z = noise.normal(data.shape)
        let column = [n] + [Int](repeating: 1, count: data.rank - 1)
        let upperLevels = lower.map { levels[$0 + 1] }
        let lowerLevels = lower.map { levels[$0] }
        let upperTimes = lower.map { Self.time(ofLevel: $0 + 1, levels: levels, sde: sde) }
        let lowerTimes = lower.map { Self.time(ofLevel: $0, levels: levels, sde: sde) }
        let far = data + z * Tensor(upperLevels.map { Float($0) }, shape: column)
        let near: Tensor
        if let teacher {
            near = Autodiff.withoutRecording {
                ConsistencyTeacherStep.heun(from: far, levels: upperLevels, to: lowerLevels, teacher: teacher)
            }
        } else {
            near = data + z * Tensor(lowerLevels.map { Float($0) }, shape: column)
        }
        let online = Self.consistency(
            model, parameterization: parameterization, sde: sde, scaled: far, times: upperTimes, labels: batch.labels)
        let target = Autodiff.withoutRecording {
            Self.consistency(
                model, parameterization: parameterization, sde: sde, scaled: near.detached(), times: lowerTimes,
                labels: batch.labels)
        }.detached()
        let squared = square(online - target).reshaped([n, -1])
        let perDistance: Tensor
        switch distance {
        case .squaredL2:
            perDistance = squared.mean(alongAxis: 1)
        case .pseudoHuber:
            let c = 0.00054 * Double(squared.shape[1]).squareRoot()
            perDistance = sqrt(squared.sum(alongAxis: 1) + Float(c * c)) - Float(c)
        }
        let weights: [Float] = zip(upperLevels, lowerLevels).map { high, low in
            switch weighting {
            case .uniform: 1
            case .inverseGap: Float(1 / (high - low))
            }
        }
        let perSample = perDistance * Tensor(weights)
        return LossEvaluation(value: perSample.mean(), times: upperTimes, perSample: perSample.detached())
    }

    /// f_θ(x̃, t) = x̂₀(α·x̃, t) for per-sample times, in units of x₀.
    static func consistency(
        _ model: some ScoreModel, parameterization: some Parameterization, sde: some ForwardSDE, scaled: Tensor,
        times: [Double], labels: [Int]?
    ) -> Tensor {
        let n = scaled.shape[0]
        let column = [n] + [Int](repeating: 1, count: scaled.rank - 1)
        let marginals = times.map { sde.marginal(at: $0) }
        let c = marginals.map { parameterization.preconditioning(for: $0) }
        func perRow(_ values: [Double]) -> Tensor { Tensor(values.map { Float($0) }, shape: column) }
        let x = scaled * perRow(marginals.map(\.signalScale))
        let output = model(
            x * perRow(c.map(\.inputScale)), NoiseCondition(times: times, marginals: marginals, labels: labels))
        return x * perRow(c.map(\.skipScale)) + output * perRow(c.map(\.outputScale))
    }
}

/// d in the consistency losses.
public enum ConsistencyDistance: String, Codable, Sendable, CaseIterable {
    /// ‖a − b‖²/d, the mean squared difference of a sample's values.
    case squaredL2
    /// √(‖a − b‖² + c²) − c with c = 0.00054·√d (Song & Dhariwal 2023).
    case pseudoHuber
}

/// λ_n in the consistency losses.
public enum ConsistencyWeighting: String, Codable, Sendable, CaseIterable {
    /// λ = 1 (Song et al. 2023).
    case uniform
    /// λ = 1/(σ_{n+1} − σ_n) (Song & Dhariwal 2023).
    case inverseGap
}

/// One Heun step of a teacher's probability-flow ODE in the scaled variable, for any affine process.
enum ConsistencyTeacherStep {
    /// D(x̃; σ̃) = x̂₀(α(t)·x̃, t) at t = λ⁻¹(−2 ln σ̃), clamped into the teacher's time range.
    static func denoised(_ scaled: Tensor, levels: [Double], teacher: some ReverseProcess) -> Tensor {
        let range = teacher.sde.timeRange
        let times = levels.map { level in
            let t = teacher.sde.time(forLogSignalToNoiseRatio: -2 * Foundation.log(level))
            return Swift.min(Swift.max(t, range.lowerBound), range.upperBound)
        }
        let column = [scaled.shape[0]] + [Int](repeating: 1, count: scaled.rank - 1)
        let alpha = Tensor(times.map { Float(teacher.sde.marginal(at: $0).signalScale) }, shape: column)
        return teacher.denoised(scaled * alpha, at: times)
    }

    /// x̃ at σ̃ = `to` from x̃ at `from`, per sample: Heun's method on dx̃/dσ̃ = (x̃ − D)/σ̃.
    static func heun(from scaled: Tensor, levels from: [Double], to: [Double], teacher: some ReverseProcess) -> Tensor {
        let column = [scaled.shape[0]] + [Int](repeating: 1, count: scaled.rank - 1)
        func perRow(_ values: [Double]) -> Tensor { Tensor(values.map { Float($0) }, shape: column) }
        let gap = perRow(zip(from, to).map { $1 - $0 })
        let slope = (scaled - denoised(scaled, levels: from, teacher: teacher)) * perRow(from.map { 1 / $0 })
        let euler = scaled + slope * gap
        let slopeNext = (euler - denoised(euler, levels: to, teacher: teacher)) * perRow(to.map { 1 / $0 })
        return scaled + (slope + slopeNext) * gap * Float(0.5)
    }
}
