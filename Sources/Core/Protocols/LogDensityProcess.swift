/// A reverse process that also knows log p_t(x), up to a constant in x: an energy-based model
/// (log p = −E) or an exact density. Metropolis-adjusted samplers (MALA) need it.
///
/// ```
/// logDensity = log p_t(x) + c(t),   denoised = x̂₀ = (x + σ²·∇log p_t(x))/α
/// ```
/// Both come from one evaluation (for an energy model, a forward pass and its input gradient),
/// and count as one in `CountingProcess`.
public protocol LogDensityProcess: ReverseProcess {
    /// log p_t(x) per sample (`[N]`, up to a constant that may depend on t only) and x̂₀ (shaped like `x`).
    func logDensityAndDenoised(_ x: Tensor, at time: Double) -> (logDensity: Tensor, denoised: Tensor)
}

extension CountingProcess: LogDensityProcess where Base: LogDensityProcess {
    public func logDensityAndDenoised(_ x: Tensor, at time: Double) -> (logDensity: Tensor, denoised: Tensor) {
        counter.increment()
        return base.logDensityAndDenoised(x, at: time)
    }
}

/// A score model that also knows the log-density of its noisy input, up to a constant in x: an
/// energy-based model (`energy` in the Networks module) or an exact density (the Runner's exact
/// Gaussian mixture).
///
/// ```
/// logDensity = log p_t(x) + c(t),   output = F_θ(c_in·x, condition)
/// ```
/// Both come from one evaluation, and `output` is what `callAsFunction` gives at the scaled input
/// c_in·x, so that x̂₀ = c_skip·x + c_out·output is consistent with the log-density:
/// ∇ₓ log p_t = (α·x̂₀ − x)/σ². The preconditioning is passed because an energy model's log-density
/// depends on it: a network whose output is F = −∇_u E_θ(u) at u = c_in·x has
/// log p_t(x) = a/2·‖x‖² − (b/c_in)·E_θ(c_in·x) with a = (α·c_skip − 1)/σ², b = α·c_out/σ².
/// `ModelReverseProcess` over such a model is a `LogDensityProcess`, so MALA runs on it.
public protocol LogDensityModel: ScoreModel {
    /// log p_t(x) per sample (`[N]`, up to a constant that may depend on t only) and the output at
    /// c_in·x (shaped like `x`), for a batch whose samples share one noise state: `marginal` and
    /// its `preconditioning` are every sample's. `x` is the noisy sample in the process's
    /// coordinates, before the input scale c_in.
    func logDensityAndOutput(
        _ x: Tensor, _ condition: NoiseCondition, marginal: Marginal, preconditioning: Preconditioning
    ) -> (logDensity: Tensor, output: Tensor)
}

/// A network architecture whose models know their log-density (`LogDensityModel`), such as an
/// exact density: a recipe may pair it with a `LogDensitySampler`.
///
/// A refinement, not a flag (STYLE.md §4): the Runner asks `network as? any LogDensityArchitecture`
/// when it resolves a recipe, so MALA on a plain score network is refused before a run starts.
public protocol LogDensityArchitecture: NetworkArchitecture {}

/// A sampler that needs a `LogDensityProcess` (log p_t, not only x̂₀), such as MALA. A recipe
/// pairs it only with a `LogDensityArchitecture` network.
public protocol LogDensitySampler: Sampler {}

extension ModelReverseProcess: LogDensityProcess where Model: LogDensityModel {
    /// log p_t(x) and x̂₀ from one evaluation of the model, under the condition `denoised(_:at:)` uses.
    public func logDensityAndDenoised(_ x: Tensor, at time: Double) -> (logDensity: Tensor, denoised: Tensor) {
        let m = sde.marginal(at: time)
        let c = parameterization.preconditioning(for: m)
        let condition = NoiseCondition(count: x.shape[0], time: time, marginal: m, labels: labels)
        let (logDensity, output) = model.logDensityAndOutput(x, condition, marginal: m, preconditioning: c)
        let denoised =
            c.skipScale == 0 ? output * Float(c.outputScale) : x * Float(c.skipScale) + output * Float(c.outputScale)
        return (logDensity, denoised)
    }
}
