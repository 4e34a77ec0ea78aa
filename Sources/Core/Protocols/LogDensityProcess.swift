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
