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
/// energy-based model or an exact density (the Runner's exact Gaussian mixture).
///
/// ```
/// logDensity(x, condition) = log p_t(x) + c(t)
/// ```
/// `ModelReverseProcess` over such a model is a `LogDensityProcess`, so MALA runs on it.
public protocol LogDensityModel: ScoreModel {
    /// log p_t(x) per sample, `[N]`, at each sample's noise condition. `x` is the noisy sample in
    /// the process's coordinates: the x that `ModelReverseProcess` is given, before the
    /// parameterization's input scale c_in.
    func logDensity(_ x: Tensor, _ condition: NoiseCondition) -> Tensor
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
    /// log p_t(x) from the model and x̂₀ as `denoised(_:at:)` gives it, under the same condition.
    public func logDensityAndDenoised(_ x: Tensor, at time: Double) -> (logDensity: Tensor, denoised: Tensor) {
        let m = sde.marginal(at: time)
        let condition = NoiseCondition(count: x.shape[0], time: time, marginal: m, labels: labels)
        return (model.logDensity(x, condition), denoised(x, at: time))
    }
}
