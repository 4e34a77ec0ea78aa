import Foundation
public import ScoreKitCore

/// The discrete timestep spacings of diffusers' schedulers, on the N-point lattice of the process.
///
/// With S = steps, lattice indices k = 0 … N − 1 (diffusers' timesteps) and `round` NumPy's
/// (half to even), each scheduler family reads `spacing` its own way (`convention`):
/// ```
///              ddim (DDPM, DDIM, PNDM)            multistep (DPMSolver, UniPC, DEIS)      euler (Euler, Heun)
/// linspace     round(i·(N − 1)/(S − 1))            round(i·(N − 1)/S)                     i·(N − 1)/(S − 1), not rounded
/// leading      i·⌊N/S⌋ + stepsOffset               i·⌊N/(S + 1)⌋ + stepsOffset            as ddim
/// trailing     round(N − j·N/S) − 1                as ddim                                as ddim
/// ```
/// for i = S − 1 … 0 (ddim, euler) or i = S … 1 (multistep: S + 1 points, the smallest dropped),
/// j = 0 … S − 1. An index k is the lattice time; a fractional index τ of the euler
/// convention is the time whose noise level σ = σ(t)/α(t) is diffusers' `np.interp` of the
/// lattice's noise levels, linear in σ between ⌊τ⌋ and ⌈τ⌉ (`interpolation_type: linear`).
/// The timesteps are followed by t = 0 with the default `finalStep: toZero`
/// (`set_alpha_to_one`, `final_sigmas_type: zero`), else by k = 0 unless the last timestep is
/// 0 already (`final_sigmas_type: sigma_min`). The lattice is the process's `stepTimes` for a
/// `DiscretizedSDE` (DDPM: k ↦ t = (k + 1)/N, so `alphas_cumprod[k]` = ᾱ at t) and otherwise
/// N = `trainStepCount` points evenly spaced over the time range, k ↦ t_min + k·(T − t_min)/(N − 1).
/// Lin et al. (2024) recommend `trailing`, which starts at the last step (k = N − 1); `leading`
/// never visits it.
/// - Note: For a `DiscretizedSDE` of N steps, `steps` must not exceed N (else timesteps repeat,
///   which the recipe check `time-grid-within-process` reports); `trainStepCount` is not used then.
public struct DiscreteTimeGrid: TimeGrid {
    /// diffusers' `timestep_spacing`.
    public enum Spacing: String, Codable, Sendable, CaseIterable {
        case linspace
        case leading
        case trailing
    }

    /// Which of diffusers' scheduler families reads `spacing`.
    public enum Convention: String, Codable, Sendable, CaseIterable {
        /// DDPM, DDIM and PNDM: S timesteps, rounded.
        case ddim
        /// DPMSolverMultistep, UniPC and DEIS: S + 1 timesteps, rounded, the smallest dropped.
        case multistep
        /// Euler, EulerAncestral and Heun: `linspace` timesteps not rounded, σ interpolated.
        case euler
    }

    public struct Configuration: ComponentConfiguration, Equatable {
        /// S, the number of timesteps visited (model evaluations of a one-step sampler).
        public var steps = 50
        /// How the S timesteps are chosen.
        public var spacing = Spacing.leading
        /// Which scheduler family's reading of `spacing`.
        public var convention = Convention.ddim
        /// Added to `leading` indices (`steps_offset`; Stable Diffusion uses 1).
        public var stepsOffset = 0
        /// N for processes that are not a discrete chain; a `DiscretizedSDE` uses its own.
        public var trainStepCount = 1000
        /// Whether the run ends with a step to t = 0.
        public var finalStep = FinalStep.toZero

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard trainStepCount >= 2, trainStepCount <= SizeCeiling.steps else {
                throw .outOfRange(
                    key: "trainStepCount", value: "\(trainStepCount)",
                    expected: "an integer from 2 to 1,000,000 (the ceiling for step counts)")
            }
            guard steps >= 1, steps <= trainStepCount else {
                throw .outOfRange(
                    key: "steps", value: "\(steps)", expected: "an integer from 1 to trainStepCount (\(trainStepCount))"
                )
            }
            guard stepsOffset >= 0, stepsOffset < trainStepCount else {
                throw .outOfRange(
                    key: "stepsOffset", value: "\(stepsOffset)",
                    expected: "an integer from 0 to trainStepCount − 1 (\(trainStepCount - 1))")
            }
        }
    }

    public let configuration: Configuration

    /// diffusers' DDIM defaults: 50 `leading` steps and a final step to ᾱ = 1.
    public init() { configuration = Configuration() }

    /// The grid of `configuration`, validated.
    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// The lattice indices k_0 > k_1 > … visited for a lattice of `count` points (diffusers' `timesteps`),
    /// rounded to the nearest index for the euler convention's fractional `linspace`.
    public func indices(latticeCount count: Int) -> [Int] {
        timesteps(latticeCount: count).map { Swift.min(Swift.max(Int($0.rounded(.toNearestOrEven)), 0), count - 1) }
    }

    /// The timesteps τ_0 > τ_1 > … visited for a lattice of `count` points: whole numbers but for
    /// the euler convention's `linspace`.
    public func timesteps(latticeCount count: Int) -> [Double] {
        let s = configuration.steps
        let c = configuration.convention
        // multistep: S + 1 points (i = S … 0) of which the last, i = 0, is dropped.
        let points = c == .multistep ? s + 1 : s
        let raw: [Double]
        switch configuration.spacing {
        case .linspace:
            let span = Double(count - 1) / Double(Swift.max(points - 1, 1))
            // NumPy's linspace: i·span, the last point exactly N − 1 (one point: 0).
            let values = (0..<points).reversed().map { i in
                points == 1 ? 0 : i == points - 1 ? Double(count - 1) : Double(i) * span
            }
            raw = c == .euler ? values : values.map { $0.rounded(.toNearestOrEven) }
        case .leading:
            let ratio = count / points
            raw = (0..<points).reversed().map { Double($0 * ratio + configuration.stepsOffset) }
        case .trailing:
            let ratio = Double(count) / Double(s)
            return (0..<s).map { (Double(count) - Double($0) * ratio).rounded(.toNearestOrEven) - 1 }
                .map { Swift.min(Swift.max($0, 0), Double(count - 1)) }
        }
        let visited = c == .multistep ? Array(raw.prefix(s)) : raw
        return visited.map { Swift.min(Swift.max($0, 0), Double(count - 1)) }
    }

    /// The times of the lattice indices 0 … N − 1 for `sde`: a `DiscretizedSDE`'s `stepTimes`, else
    /// `count` points evenly spaced over the time range.
    static func lattice(for sde: some ForwardSDE, count n: Int) -> [Double] {
        if let chain = sde as? any DiscretizedSDE { return chain.stepTimes }
        let (low, high) = (sde.timeRange.lowerBound, sde.timeRange.upperBound)
        return (0..<n).map { $0 == n - 1 ? high : low + Double($0) * (high - low) / Double(n - 1) }
    }

    public func times(for sde: some ForwardSDE) -> [Double] {
        let lattice = Self.lattice(for: sde, count: configuration.trainStepCount)
        let steps = timesteps(latticeCount: lattice.count)
        var times = steps.map { Self.time(atTimestep: $0, lattice: lattice, sde: sde) }
        switch configuration.finalStep {
        case .toZero: times.append(0)
        case .none: if steps.last != 0 { times.append(lattice[0]) }
        }
        return times
    }

    /// The time of timestep τ: the lattice's time at a whole τ; between lattice points, the time
    /// whose noise level σ(t)/α(t) is σ interpolated linearly in τ, as diffusers' `np.interp`.
    static func time(atTimestep tau: Double, lattice: [Double], sde: some ForwardSDE) -> Double {
        let below = Int(tau.rounded(.down))
        guard Double(below) != tau, below + 1 < lattice.count else {
            return lattice[Swift.min(below, lattice.count - 1)]
        }
        let w = tau - Double(below)
        let sigma =
            (1 - w) * sde.marginal(at: lattice[below]).noiseLevel + w * sde.marginal(at: lattice[below + 1]).noiseLevel
        return sde.time(forLogSignalToNoiseRatio: -2 * Foundation.log(sigma))
    }
}

extension DiscreteTimeGrid: RegisteredComponent {
    public static let id: ComponentID = "discrete"
    public static let summary =
        "diffusers' discrete timestep spacings (linspace, leading, trailing) as DDIM, the multistep or the Euler schedulers read them"
}
