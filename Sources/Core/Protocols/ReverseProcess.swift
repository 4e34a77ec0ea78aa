/// What samplers see: a forward process together with a denoiser, run backward in time.
///
/// ```
/// score    ∇ log p_t(x) = (α·x̂₀ − x)/σ²
/// ε̂        = (x − α·x̂₀)/σ
/// PF-ODE   dx/dt = f(x, t) − ½g(t)²·score
/// reverse  dx = [f(x, t) − g(t)²·score] dt + g(t) dW̄
/// ```
/// The one currency is the denoised estimate x̂₀ = E[x₀ | x_t = x] (STYLE.md §1.3): samplers ask
/// for what they need and never care what the network was trained to predict.
public protocol ReverseProcess: Sendable {
    associatedtype SDE: ForwardSDE
    /// The forward process being reversed.
    var sde: SDE { get }
    /// x̂₀(x, t) for a batch `x`: one model evaluation.
    func denoised(_ x: Tensor, at time: Double) -> Tensor

    /// x̂₀ for a batch whose rows sit at different times, row i at `times[i]`: one model evaluation.
    ///
    /// Adaptive solvers give each sample its own step sizes, so that no sample depends on the
    /// batch it runs in (`runAdaptive`); its rows then sit at different times. The default
    /// evaluates the rows of each distinct time together (gathered). A wrapper that holds
    /// per-sample data, such as class labels, implements this by forwarding, as
    /// `CountingProcess` and `ModelReverseProcess` do.
    func denoised(_ x: Tensor, at times: [Double]) -> Tensor

    /// This process for the samples `rows` of its batch only (their labels, say), or `nil` when it
    /// cannot say (the default): adaptive solvers then keep evaluating the whole batch.
    func restricted(toRows rows: [Int]) -> Self?

    /// x̂₀ and ε̂ from one model evaluation. The default derives ε̂ = (x − α·x̂₀)/σ; a process that
    /// post-processes x̂₀ (clipping, `ClippedProcess`) returns the model's own ε̂, which DDIM's
    /// update pairs with the clipped x̂₀ as diffusers' does.
    func denoisedAndNoise(_ x: Tensor, at time: Double) -> (denoised: Tensor, noise: Tensor)
}

extension ReverseProcess {
    public func restricted(toRows rows: [Int]) -> Self? { nil }

    public func denoisedAndNoise(_ x: Tensor, at time: Double) -> (denoised: Tensor, noise: Tensor) {
        let m = sde.marginal(at: time)
        let d = denoised(x, at: time)
        return (d, (x - d * Float(m.signalScale)) * Float(1 / m.noiseScale))
    }

    public func denoised(_ x: Tensor, at times: [Double]) -> Tensor {
        precondition(times.count == x.shape.first, "\(times.count) times for a batch of shape \(x.shape)")
        guard let first = times.first, times.contains(where: { $0 != first }) else {
            return denoised(x, at: times.first ?? 0)
        }
        var rowsByTime: [Double: [Int]] = [:]
        for (row, time) in times.enumerated() { rowsByTime[time, default: []].append(row) }
        let groups = rowsByTime.sorted { $0.key > $1.key }
        let parts = groups.map { denoised(x.gathering(rows: $0.value), at: $0.key) }
        var position = [Int](repeating: 0, count: times.count)  // row → its place in the concatenation
        for (place, row) in groups.flatMap(\.value).enumerated() { position[row] = place }
        return Tensor.concatenate(parts, alongAxis: 0).gathering(rows: position)
    }

    /// α, σ and derivatives at `time`.
    public func marginal(at time: Double) -> Marginal { sde.marginal(at: time) }

    /// ∇ₓ log p_t(x) = (α·x̂₀ − x)/σ².
    public func score(_ x: Tensor, at time: Double) -> Tensor {
        let m = sde.marginal(at: time)
        return Prediction.score.value(fromDenoised: denoised(x, at: time), noisy: x, marginal: m)
    }

    /// ε̂ = (x − α·x̂₀)/σ.
    public func epsilon(_ x: Tensor, at time: Double) -> Tensor {
        let m = sde.marginal(at: time)
        return Prediction.epsilon.value(fromDenoised: denoised(x, at: time), noisy: x, marginal: m)
    }

    /// The probability-flow ODE velocity f(x, t) − ½g²·∇log p_t(x) (Song et al. 2021, eq. 13).
    public func probabilityFlowVelocity(_ x: Tensor, at time: Double) -> Tensor {
        let m = sde.marginal(at: time)
        let s = score(x, at: time)
        return x * Float(m.driftCoefficient) - s * Float(0.5 * m.diffusionSquared)
    }
}

/// The reverse process of a model: SDE + parameterization + network (Karras et al. 2022, eq. 7).
///
/// ```
/// x̂₀ = c_skip·x + c_out·F_θ(c_in·x, condition)
/// ```
public struct ModelReverseProcess<SDE: ForwardSDE, Target: Parameterization, Model: ScoreModel>: ReverseProcess {
    public var sde: SDE
    public var parameterization: Target
    public var model: Model
    /// Class labels passed to the model for every sample, or `nil`.
    public var labels: [Int]?

    /// The same process for the samples `rows` (their labels); the model sees rows independently.
    public func restricted(toRows rows: [Int]) -> ModelReverseProcess? {
        var copy = self
        if let labels, labels.count > 1 { copy.labels = rows.map { labels[$0] } }
        return copy
    }

    public init(sde: SDE, parameterization: Target, model: Model, labels: [Int]? = nil) {
        self.sde = sde
        self.parameterization = parameterization
        self.model = model
        self.labels = labels
    }

    public func denoised(_ x: Tensor, at time: Double) -> Tensor {
        let m = sde.marginal(at: time)
        let c = parameterization.preconditioning(for: m)
        let condition = NoiseCondition(count: x.shape[0], time: time, marginal: m, labels: labels)
        let input = c.inputScale == 1 ? x : x * Float(c.inputScale)
        let output = model(input, condition)
        return c.skipScale == 0 ? output * Float(c.outputScale) : x * Float(c.skipScale) + output * Float(c.outputScale)
    }

    /// One evaluation with a per-sample `NoiseCondition`; each row gets the same values as
    /// `denoised(_:at:)` at its own time would give it, to the last bit for models that compute
    /// each row alone (a model's shortcut for shared conditions may change the last bits).
    public func denoised(_ x: Tensor, at times: [Double]) -> Tensor {
        precondition(times.count == x.shape.first, "\(times.count) times for a batch of shape \(x.shape)")
        let marginals = times.map { sde.marginal(at: $0) }
        let c = marginals.map { parameterization.preconditioning(for: $0) }
        let condition = NoiseCondition(times: times, marginals: marginals, labels: labels)
        let shape = [x.shape[0]] + Array(repeating: 1, count: Swift.max(x.rank - 1, 0))
        func perRow(_ value: (Preconditioning) -> Double) -> Tensor { Tensor(c.map { Float(value($0)) }, shape: shape) }
        let input = c.allSatisfy { $0.inputScale == 1 } ? x : x * perRow(\.inputScale)
        let output = model(input, condition)
        return c.allSatisfy { $0.skipScale == 0 }
            ? output * perRow(\.outputScale) : x * perRow(\.skipScale) + output * perRow(\.outputScale)
    }
}
