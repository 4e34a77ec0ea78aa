import Foundation
public import ScoreKitCore

/// The 2-D Swiss roll of the FFJORD toy sets, labelled by quarter of the roll.
///
/// ```
/// θ = 1.5π·(1 + 2u),   u ~ U[0, 1)
/// x = scale·[(θ cos θ, θ sin θ) + noise·z],   z ~ N(0, I)
/// label = ⌊4u⌋
/// ```
/// FFJORD takes scikit-learn's `make_swiss_roll(noise=1.0)`, keeps coordinates 0 and 2 and
/// divides by 5: the defaults `noise: 1`, `scale: 0.2`.
public struct SwissRollData: DataSource {
    /// The recipe keys of this data set, with their defaults.
    public struct Configuration: ComponentConfiguration, Equatable {
        /// N, the number of samples.
        public var count = 100_000
        /// The standard deviation of the noise, before scaling.
        public var noise = 1.0
        /// The factor applied last.
        public var scale = 0.2

        public init() {}

        public func validate() throws(ConfigurationError) {
            try SampleGenerator.validate(count: count)
            try SampleGenerator.validateNonNegative(noise, key: "noise")
            try SampleGenerator.validatePositive(scale, key: "scale")
        }
    }

    /// The number of labels: quarters of the roll.
    public static let classCount = 4

    /// The settings it was made from.
    public let configuration: Configuration

    /// The data set these settings describe.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public var providesLabels: Bool { true }

    public func load(seed: UInt64) throws(DataError) -> DataSet {
        let (noise, scale) = (configuration.noise, configuration.scale)
        return SampleGenerator.generate(
            count: configuration.count, dimension: 2, classCount: Self.classCount, seed: seed, uniformCount: 1,
            normalCount: 2
        ) { draw, out in
            let theta = 1.5 * Double.pi * (1 + 2 * draw.u(0))
            out[0] = Float(scale * (theta * cos(theta) + noise * draw.z(0)))
            out[1] = Float(scale * (theta * sin(theta) + noise * draw.z(1)))
            return SampleGenerator.category(draw.u(0), of: Self.classCount)
        }
    }
}

extension SwissRollData: RegisteredComponent {
    public static let id: ComponentID = "swiss-roll"
    public static let summary = "The 2-D Swiss roll of the FFJORD toy sets (noise 1, scaled by 0.2)"
}
