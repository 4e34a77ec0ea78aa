extension ForwardSDE {
    /// The noise level σ/α when the process has the same one at both ends of its time range, and
    /// so (λ being monotone) at every time; `nil` for a process whose noise grows.
    ///
    /// ```
    /// x_t = x₀ + σ·ε at every t      (variance-exploding with sigmaMin = sigmaMax)
    /// ```
    /// Such a process is denoising score matching at one fixed σ (Vincent 2011): a model of it
    /// knows the score of p_σ = p_data ∗ N(0, σ²I) only, its probability-flow ODE and reverse SDE
    /// do not move a sample, and only samplers that stay at each grid time (`StationarySampler`,
    /// Langevin dynamics at p_σ) sample it.
    public var singleNoiseLevel: Double? {
        let low = marginal(at: timeRange.lowerBound).noiseLevel
        let high = marginal(at: timeRange.upperBound).noiseLevel
        return low == high && low.isFinite ? low : nil
    }
}
