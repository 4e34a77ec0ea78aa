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
}

extension ReverseProcess {
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
}
