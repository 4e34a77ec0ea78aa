public import ScoreKitCore

/// Times evenly spaced in log-SNR λ = log(α²/σ²), mapped through the process's inverse λ → t.
///
/// ```
/// λ_i = λ(T) + (i/M)·(λ(ε) − λ(T)),   t_i = t(λ_i),   i = 0 … M,   ε = max(endTime, t_min)
/// ```
/// M = steps, or steps − 1 followed by a step to t = 0 with `finalStep: toZero`. Equally: the
/// noise level σ/α = e^(−λ/2) is geometric, so this is k-diffusion's `get_sigmas_exponential`,
/// NCSN's geometric σ_i for VE, and DPM-Solver's `logSNR` skip type (Lu et al. 2022), whose
/// steps are even in its h = Δ(λ/2). Not `geometric`, which is geometric in σ(t) itself.
/// - Note: Needs a finite λ(T): not for zero terminal SNR (α(T) = 0).
public struct LogSNRTimeGrid: TimeGrid {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// The number of steps.
        public var steps = 20
        /// ε, where the grid ends (raised to the process's t_min if below it).
        public var endTime = 1e-3
        /// Whether the last step goes to t = 0.
        public var finalStep = FinalStep.none

        public init() {}

        public func validate() throws(ConfigurationError) { try validateGrid(steps: steps, endTime: endTime) }
    }

    public let configuration: Configuration

    /// The grid with the defaults: 20 steps down to 1e-3.
    public init() { configuration = Configuration() }

    /// The grid of `configuration`, validated.
    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// No range of noise levels to space on a process with a single one.
    public func problem(for sde: some ForwardSDE) -> String? { singleNoiseLevelProblem(for: sde) }

    public func times(for sde: some ForwardSDE) -> [Double] {
        let c = configuration
        return continuousTimes(for: sde, steps: c.steps, endTime: c.endTime, finalStep: c.finalStep) { u, start, end in
            let high = sde.marginal(at: start).logSignalToNoiseRatio
            let low = sde.marginal(at: end).logSignalToNoiseRatio
            return sde.time(forLogSignalToNoiseRatio: high + u * (low - high))
        }
    }
}

extension LogSNRTimeGrid: RegisteredComponent {
    public static let id: ComponentID = "log-snr"
    public static let summary =
        "Times even in log-SNR, geometric in σ/α (DPM-Solver's logSNR, k-diffusion's exponential)"
}
