import Foundation
public import ScoreKitCore

/// Noise levels spaced evenly in σ^(1/ρ) (Karras et al. 2022, eq. 5), mapped to the process's times.
///
/// ```
/// σ_i = (σ_max^(1/ρ) + (i/M)·(σ_min^(1/ρ) − σ_max^(1/ρ)))^ρ,   i = 0 … M
/// σ = noise level σ(t)/α(t),   σ_max = σ(T)/α(T),   σ_min = σ(ε)/α(ε),   t_i = t(λ = −2 log σ_i)
/// ```
/// M = steps − 1 followed by the step to σ = 0 (t = 0) with the default `finalStep: toZero`,
/// as EDM's 18 steps (35 evaluations with Heun); M = steps with `none`. ρ = 7 is EDM's choice;
/// ρ = 1 is even in σ; ρ → ∞ tends to `log-snr`. k-diffusion's `get_sigmas_karras`.
/// - Note: Needs a finite noise level at T: not for zero terminal SNR (α(T) = 0).
public struct KarrasTimeGrid: TimeGrid {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// The number of steps, the step to σ = 0 included when `finalStep` is `toZero`.
        public var steps = 18
        /// ρ, the warping exponent.
        public var rho = 7.0
        /// ε, where the grid ends before any final step (raised to the process's t_min if below it).
        public var endTime = 1e-3
        /// Whether the last step goes to t = 0 (σ = 0).
        public var finalStep = FinalStep.toZero

        public init() {}

        public func validate() throws(ConfigurationError) {
            try validateGrid(steps: steps, endTime: endTime)
            guard rho > 0, rho.isFinite else {
                throw .outOfRange(key: "rho", value: "\(rho)", expected: "a finite number > 0")
            }
        }
    }

    public let configuration: Configuration

    /// The grid with EDM's defaults: 18 steps, ρ = 7, final step to σ = 0.
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
            let high = Foundation.pow(sde.marginal(at: start).noiseLevel, 1 / c.rho)
            let low = Foundation.pow(sde.marginal(at: end).noiseLevel, 1 / c.rho)
            let sigma = Foundation.pow(high + u * (low - high), c.rho)
            return sde.time(forLogSignalToNoiseRatio: -2 * Foundation.log(sigma))
        }
    }
}

extension KarrasTimeGrid: RegisteredComponent {
    public static let id: ComponentID = "karras"
    public static let summary = "Noise levels even in σ^(1/ρ), EDM's grid (Karras et al. 2022, eq. 5)"
}
