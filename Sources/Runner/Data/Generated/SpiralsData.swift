import Foundation
public import ScoreKitCore

/// Interleaved spirals, labelled by arm (FFJORD's "2spirals" for two arms).
///
/// ```
/// n = √u₀ · 2π·turns,   k ~ U{0 … K − 1}
/// p = (−n cos n + ½u₁, n sin n + ½u₂) / 3,   rotated by 2πk/K
/// x = p + noise·z,   z ~ N(0, I)
/// ```
/// With K = 2 the second arm is −p, FFJORD's construction (540° = 1.5 turns, noise 0.1).
public struct SpiralsData: DataSource {
    /// The recipe keys of this data set, with their defaults.
    public struct Configuration: ComponentConfiguration, Equatable {
        /// N, the number of samples.
        public var count = 100_000
        /// K, the number of arms.
        public var armCount = 2
        /// How many turns each arm makes.
        public var turns = 1.5
        /// The standard deviation of the Gaussian noise added to each coordinate.
        public var noise = 0.1

        public init() {}

        public func validate() throws(ConfigurationError) {
            try SampleGenerator.validate(count: count)
            try requireCount(armCount, key: "armCount", atMost: SizeCeiling.components, of: "mixture components")
            try SampleGenerator.validatePositive(turns, key: "turns")
            try SampleGenerator.validateNonNegative(noise, key: "noise")
        }
    }

    /// The settings it was made from.
    public let configuration: Configuration

    /// The data set these settings describe.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public var providesLabels: Bool { true }

    public func load(seed: UInt64) throws(DataError) -> DataSet {
        let c = configuration
        return SampleGenerator.generate(
            count: c.count, dimension: 2, classCount: c.armCount, seed: seed, uniformCount: 4, normalCount: 2
        ) { draw, out in
            let arm = SampleGenerator.category(draw.u(3), of: c.armCount)
            let n = draw.u(0).squareRoot() * 2 * Double.pi * c.turns
            let px = (-n * cos(n) + 0.5 * draw.u(1)) / 3
            let py = (n * sin(n) + 0.5 * draw.u(2)) / 3
            let angle = 2 * Double.pi * Double(arm) / Double(c.armCount)
            out[0] = Float(px * cos(angle) - py * sin(angle) + c.noise * draw.z(0))
            out[1] = Float(px * sin(angle) + py * cos(angle) + c.noise * draw.z(1))
            return arm
        }
    }
}

extension SpiralsData: RegisteredComponent {
    public static let id: ComponentID = "spirals"
    public static let summary = "Interleaved spirals with Gaussian noise (FFJORD's 2spirals: 2 arms, 1.5 turns)"
}
