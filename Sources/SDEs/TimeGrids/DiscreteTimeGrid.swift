public import ScoreKitCore

/// The discrete timestep spacings of diffusers' schedulers, on the N-point lattice of the process.
///
/// With S = steps and lattice indices k = 0 … N − 1 (diffusers' timesteps):
/// ```
/// linspace   k_i = round(linspace(0, N − 1, S))[reversed]
/// leading    k_i = (S − 1 − i)·⌊N/S⌋ + stepsOffset
/// trailing   k_i = round(N − i·N/S) − 1
/// ```
/// (`round` is NumPy's, half to even), i = 0 … S − 1, followed by t = 0 with the default
/// `finalStep: toZero` (`set_alpha_to_one`), else by k = 0 unless the last index is 0 already.
/// The lattice is the process's `stepTimes` for a `DiscretizedSDE` (DDPM: k ↦ t = (k + 1)/N, so
/// `alphas_cumprod[k]` = ᾱ at t) and otherwise N = `trainStepCount` points evenly spaced over
/// the time range, k ↦ t_min + k·(T − t_min)/(N − 1). Lin et al. (2024) recommend `trailing`,
/// which starts at the last step (k = N − 1); `leading` never visits it.
/// - Note: For a `DiscretizedSDE` of N steps, `steps` must not exceed N (else timesteps repeat,
///   which the recipe check `time-grid-within-process` reports); `trainStepCount` is not used then.
public struct DiscreteTimeGrid: TimeGrid {
    /// diffusers' `timestep_spacing`.
    public enum Spacing: String, Codable, Sendable, CaseIterable {
        case linspace
        case leading
        case trailing
    }

    public struct Configuration: ComponentConfiguration, Equatable {
        /// S, the number of timesteps visited (model evaluations of a one-step sampler).
        public var steps = 50
        /// How the S timesteps are chosen.
        public var spacing = Spacing.leading
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

    /// The lattice indices k_0 > k_1 > … visited for a lattice of `count` points (diffusers' `timesteps`).
    public func indices(latticeCount count: Int) -> [Int] {
        let s = configuration.steps
        let raw: [Double]
        switch configuration.spacing {
        case .linspace:
            raw = (0..<s).reversed().map { s == 1 ? 0 : (Double($0) * Double(count - 1) / Double(s - 1)) }
        case .leading:
            let ratio = count / s
            raw = (0..<s).reversed().map { Double($0 * ratio + configuration.stepsOffset) }
        case .trailing:
            let ratio = Double(count) / Double(s)
            raw = (0..<s).map { Double(count) - Double($0) * ratio }.map { $0.rounded(.toNearestOrEven) - 1 }
        }
        return raw.map { Swift.min(Swift.max(Int($0.rounded(.toNearestOrEven)), 0), count - 1) }
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
        let k = indices(latticeCount: lattice.count)
        var times = k.map { lattice[$0] }
        switch configuration.finalStep {
        case .toZero: times.append(0)
        case .none: if k.last != 0 { times.append(lattice[0]) }
        }
        return times
    }
}

extension DiscreteTimeGrid: RegisteredComponent {
    public static let id: ComponentID = "discrete"
    public static let summary = "diffusers' discrete timestep spacings (linspace, leading, trailing)"
}
