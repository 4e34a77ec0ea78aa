public import ScoreKitCore

/// A grid given as a list: continuous times, or timesteps of the process's lattice.
///
/// ```yaml
/// timeGrid: { kind: times, times: [1.0, 0.6, 0.3, 0.1, 0.001, 0] }
/// timeGrid: { kind: times, timesteps: [999, 799, 599, 399, 199, 0] }   # lattice indices, as diffusers'
/// ```
/// `times` are visited as given: strictly decreasing, inside the process's time range, the last
/// may be 0 (a final denoising step). `timesteps` are indices k of the lattice of
/// `DiscreteTimeGrid` (a `DiscretizedSDE`'s `stepTimes`, so k ↦ ᾱ = `alphas_cumprod[k]` for
/// `ddpm`; else `trainStepCount` points evenly spaced over the time range), strictly
/// decreasing, with `finalStep: toZero` (the default) followed by t = 0. Single steps of a
/// chain (k → k − 1) and another library's exact timesteps are both lists.
public struct ExplicitTimeGrid: TimeGrid {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// t₀ > t₁ > … > t_N, visited as given.
        public var times: [Double] = []
        /// k₀ > k₁ > …: lattice indices, instead of `times`.
        public var timesteps: [Int] = []
        /// N for processes that are not a discrete chain (`timesteps` only).
        public var trainStepCount = 1000
        /// Whether `timesteps` are followed by a step to t = 0.
        public var finalStep = FinalStep.toZero

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard times.isEmpty != timesteps.isEmpty else {
                throw .outOfRange(
                    key: "times", value: times.isEmpty ? "none, and no timesteps" : "given with timesteps",
                    expected: "either a list of times or a list of timesteps")
            }
            guard trainStepCount >= 2, trainStepCount <= SizeCeiling.steps else {
                throw .outOfRange(
                    key: "trainStepCount", value: "\(trainStepCount)",
                    expected: "an integer from 2 to 1,000,000 (the ceiling for step counts)")
            }
            if !times.isEmpty {
                guard times.count >= 2, times.count <= SizeCeiling.steps + 1 else {
                    throw .outOfRange(
                        key: "times", value: "\(times.count) times",
                        expected: "2 to 1,000,001 times (at least one step)")
                }
                for (index, time) in times.enumerated() {
                    guard time.isFinite, time >= 0, index == 0 || time < times[index - 1] else {
                        throw .outOfRange(
                            key: "times.\(index)", value: "\(time)",
                            expected: index == 0
                                ? "a finite time ≥ 0" : "a finite time ≥ 0 below the one before (\(times[index - 1]))")
                    }
                }
            } else {
                guard timesteps.count <= SizeCeiling.steps else {
                    throw .outOfRange(
                        key: "timesteps", value: "\(timesteps.count) timesteps", expected: "at most 1,000,000")
                }
                guard timesteps.count >= 2 || (timesteps.count == 1 && finalStep == .toZero) else {
                    throw .outOfRange(
                        key: "timesteps", value: "\(timesteps.count) timestep",
                        expected: "at least two, or one followed by finalStep: toZero (at least one step)")
                }
                for (index, k) in timesteps.enumerated() {
                    guard k >= 0, index == 0 || k < timesteps[index - 1] else {
                        throw .outOfRange(
                            key: "timesteps.\(index)", value: "\(k)",
                            expected: index == 0
                                ? "an index ≥ 0" : "an index ≥ 0 below the one before (\(timesteps[index - 1]))")
                    }
                }
            }
        }
    }

    public let configuration: Configuration

    /// The grid of `configuration`, validated.
    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public func times(for sde: some ForwardSDE) -> [Double] {
        let c = configuration
        guard !c.timesteps.isEmpty else { return c.times }
        let lattice = DiscreteTimeGrid.lattice(for: sde, count: c.trainStepCount)
        // An index past the lattice has no time: NaN, which `problem(for:)` explains first.
        var times = c.timesteps.map { $0 < lattice.count ? lattice[$0] : .nan }
        if c.finalStep == .toZero, times.last != 0 { times.append(0) }
        return times
    }

    public func problem(for sde: some ForwardSDE) -> String? {
        guard let largest = configuration.timesteps.first else { return nil }
        let count = DiscreteTimeGrid.lattice(for: sde, count: configuration.trainStepCount).count
        guard largest >= count else { return nil }
        return "timestep \(largest) is past the process's lattice of \(count) (indices 0 … \(count - 1))"
    }
}

extension ExplicitTimeGrid: RegisteredComponent {
    public static let id: ComponentID = "times"
    public static let summary = "Times or lattice timesteps given as a list (diffusers' exact timesteps, single steps)"
}
