import Foundation
public import ScoreKitCore

/// Times at which the noise scale σ(t) is geometric, from σ(T) down to σ(ε).
///
/// ```
/// σ_i = σ(T)·(σ(ε)/σ(T))^(i/M),   t_i = σ⁻¹(σ_i),   i = 0 … M,   ε = max(endTime, t_min)
/// ```
/// M = steps, or steps − 1 followed by a step to t = 0 with `finalStep: toZero`. For α = 1
/// (VE, EDM) this is NCSN's geometric noise levels (Song & Ermon 2019) and equals `log-snr`;
/// for VP-type processes σ(t) = √(1 − α²) saturates at 1 and the two differ. σ⁻¹ is found by
/// bisection to machine precision (σ(t) has no closed-form inverse through Core's protocol).
/// - Note: Needs σ(t) increasing, and σ(ε) > 0.
public struct GeometricTimeGrid: TimeGrid {
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

    /// No range of noise levels to space on a process with a single one.
    public func problem(for sde: some ForwardSDE) -> String? { singleNoiseLevelProblem(for: sde) }

    public func times(for sde: some ForwardSDE) -> [Double] {
        let c = configuration
        return continuousTimes(for: sde, steps: c.steps, endTime: c.endTime, finalStep: c.finalStep) { u, start, end in
            let high = Foundation.log(sde.marginal(at: start).noiseScale)
            let low = Foundation.log(sde.marginal(at: end).noiseScale)
            let target = Foundation.exp(high + u * (low - high))
            // Bisection for σ(t) = target on [end, start], σ increasing.
            var (a, b) = (end, start)
            for _ in 0..<200 where b - a > 2 * b.ulp {
                let mid = 0.5 * (a + b)
                if sde.marginal(at: mid).noiseScale < target { a = mid } else { b = mid }
            }
            return 0.5 * (a + b)
        }
    }
}

extension GeometricTimeGrid: RegisteredComponent {
    public static let id: ComponentID = "geometric"
    public static let summary = "Times at which σ(t) is geometric (NCSN's noise levels for VE)"
}
