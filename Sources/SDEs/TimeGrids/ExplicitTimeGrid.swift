public import ScoreKitCore

/// A grid given as a list: continuous times, or timesteps of the process's lattice.
///
/// ```yaml
/// timeGrid: { kind: times, times: [1.0, 0.6, 0.3, 0.1, 0.001, 0] }
/// timeGrid: { kind: times, timesteps: [999, 799, 599, 399, 199, 0] }   # lattice indices, as diffusers'
/// timeGrid: { kind: times, path: grid.npy, unit: timestep }             # either list from a 1-D .npy
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
        /// A 1-D `.npy` file holding the list instead (relative to the current folder), read when
        /// the recipe is resolved.
        public var path = ""
        /// What the file holds: `time`s or lattice `timestep`s (integers).
        public var unit = Unit.time
        /// N for processes that are not a discrete chain (`timesteps` only).
        public var trainStepCount = 1000
        /// Whether `timesteps` are followed by a step to t = 0.
        public var finalStep = FinalStep.toZero

        /// The meaning of the numbers in `path`.
        public enum Unit: String, Codable, Sendable, CaseIterable {
            /// Continuous times, as `times`.
            case time
            /// Lattice indices, as `timesteps`.
            case timestep
        }

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard [!times.isEmpty, !timesteps.isEmpty, !path.isEmpty].filter({ $0 }).count == 1 else {
                throw .outOfRange(
                    key: "times",
                    value: times.isEmpty && timesteps.isEmpty && path.isEmpty
                        ? "none, no timesteps and no path" : "given with another list",
                    expected: "one of a list of times, a list of timesteps or a path to a .npy file of either")
            }
            guard path.isEmpty else { return }
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

    /// The grid of `configuration`, validated; a `path` is read here, and its list checked as the
    /// recipe's would be.
    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        var c = configuration
        if !c.path.isEmpty {
            let values: [Float]
            do {
                let read = try NumPyFile.read(c.path)
                guard read.rank == 1 else {
                    throw ConfigurationError.outOfRange(
                        key: "path", value: "'\(c.path)' of shape \(read.shape)", expected: "a 1-D array")
                }
                values = read.scalars
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw .outOfRange(key: "path", value: "'\(c.path)'", expected: "a readable .npy file (\(error))")
            }
            switch c.unit {
            case .time: c.times = values.map(Double.init)
            case .timestep:
                guard values.allSatisfy({ $0.isFinite && $0 == $0.rounded() && Swift.abs($0) < 1e9 }) else {
                    throw .outOfRange(key: "path", value: "'\(c.path)'", expected: "whole numbers (unit: timestep)")
                }
                c.timesteps = values.map { Int($0) }
            }
            c.path = ""
            do { try c.validate() } catch .outOfRange(let key, let value, let expected) {
                throw .outOfRange(key: "path", value: "'\(configuration.path)': \(key) = \(value)", expected: expected)
            }
        }
        self.configuration = c
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
