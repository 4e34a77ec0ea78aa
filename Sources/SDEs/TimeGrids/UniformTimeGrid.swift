public import ScoreKitCore

/// Times evenly spaced in t from the prior end T of the process to the end time ε.
///
/// ```
/// t_i = T + (i/M)·(ε − T),   i = 0 … M,   ε = max(endTime, t_min)
/// ```
/// M = steps, or steps − 1 followed by a step to t = 0 with `finalStep: toZero`. The grid of
/// score_sde's samplers (`torch.linspace(T, eps, N)`, N = 1000, eps = 1e-3) and of DDPM/DDIM's
/// "uniform" skip; in σ this is anything but even, see `karras` and `log-snr`.
public struct UniformTimeGrid: TimeGrid {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// The number of steps (model evaluations of a one-step sampler).
        public var steps = 1000
        /// ε, where the grid ends (raised to the process's t_min if below it).
        public var endTime = 1e-3
        /// Whether the last step goes to t = 0.
        public var finalStep = FinalStep.none

        public init() {}

        public func validate() throws(ConfigurationError) { try validateGrid(steps: steps, endTime: endTime) }
    }

    public let configuration: Configuration

    /// The grid with the defaults: 1000 steps down to 1e-3.
    public init() { configuration = Configuration() }

    /// The grid of `configuration`, validated.
    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public func times(for sde: some ForwardSDE) -> [Double] {
        let c = configuration
        return continuousTimes(for: sde, steps: c.steps, endTime: c.endTime, finalStep: c.finalStep) { u, start, end in
            start + u * (end - start)
        }
    }
}

extension UniformTimeGrid: RegisteredComponent {
    public static let id: ComponentID = "uniform"
    public static let summary = "Times evenly spaced in t (score_sde)"
}
