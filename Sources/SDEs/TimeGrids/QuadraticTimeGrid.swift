public import ScoreKitCore

/// Times spaced quadratically in t, denser near the data end.
///
/// ```
/// t_i = ε + (T − ε)·(1 − i/M)²,   i = 0 … M,   ε = max(endTime, t_min)
/// ```
/// M = steps, or steps − 1 followed by a step to t = 0 with `finalStep: toZero`. The "quad"
/// skip of DDIM (Song et al. 2021a, App. D.2), which its code uses for CIFAR-10.
public struct QuadraticTimeGrid: TimeGrid {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// The number of steps.
        public var steps = 100
        /// ε, where the grid ends (raised to the process's t_min if below it).
        public var endTime = 1e-3
        /// Whether the last step goes to t = 0.
        public var finalStep = FinalStep.none

        public init() {}

        public func validate() throws(ConfigurationError) { try validateGrid(steps: steps, endTime: endTime) }
    }

    public let configuration: Configuration

    /// The grid with the defaults: 100 steps down to 1e-3.
    public init() { configuration = Configuration() }

    /// The grid of `configuration`, validated.
    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public func times(for sde: some ForwardSDE) -> [Double] {
        let c = configuration
        return continuousTimes(for: sde, steps: c.steps, endTime: c.endTime, finalStep: c.finalStep) { u, start, end in
            end + (start - end) * (1 - u) * (1 - u)
        }
    }
}

extension QuadraticTimeGrid: RegisteredComponent {
    public static let id: ComponentID = "quadratic"
    public static let summary = "Times spaced quadratically in t, denser near the data (DDIM's quad skip)"
}
