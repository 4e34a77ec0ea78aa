import Foundation
public import ScoreKitCore

/// Two interleaving half circles, labelled by moon (scikit-learn's `make_moons`).
///
/// ```
/// moon 0: (cos θ, sin θ),            θ ~ U[0, π]
/// moon 1: (1 − cos θ, ½ − sin θ)
/// x = point + noise·z,   z ~ N(0, I)
/// ```
/// Each sample picks its moon with probability ½ and θ uniformly (scikit-learn spaces θ evenly
/// and splits N in halves); the mean is (½, ¼).
public struct TwoMoonsData: DataSource {
    /// The recipe keys of this data set, with their defaults.
    public struct Configuration: ComponentConfiguration, Equatable {
        /// N, the number of samples.
        public var count = 100_000
        /// The standard deviation of the Gaussian noise added to each coordinate.
        public var noise = 0.1

        public init() {}

        public func validate() throws(ConfigurationError) {
            try SampleGenerator.validate(count: count)
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
        let noise = configuration.noise
        return SampleGenerator.generate(
            count: configuration.count, dimension: 2, classCount: 2, seed: seed, uniformCount: 2, normalCount: 2
        ) { draw, out in
            let moon = SampleGenerator.category(draw.u(0), of: 2)
            let theta = Double.pi * draw.u(1)
            let (x, y) = moon == 0 ? (cos(theta), sin(theta)) : (1 - cos(theta), 0.5 - sin(theta))
            out[0] = Float(x + noise * draw.z(0))
            out[1] = Float(y + noise * draw.z(1))
            return moon
        }
    }
}

extension TwoMoonsData: RegisteredComponent {
    public static let id: ComponentID = "two-moons"
    public static let summary = "Two interleaving half circles with Gaussian noise (scikit-learn's make_moons)"
}
