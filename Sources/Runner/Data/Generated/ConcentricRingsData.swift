import Foundation
public import ScoreKitCore

/// Concentric circles with Gaussian noise, labelled by circle (FFJORD's "circles").
///
/// ```
/// k ~ U{0 … K − 1},   φ ~ U[0, 2π)
/// x = r_k·(cos φ, sin φ) + noise·z,   z ~ N(0, I)
/// ```
/// Every circle is equally likely, whatever its radius. FFJORD scales scikit-learn's
/// `make_circles(factor=0.5, noise=0.08)` by 3: radii 1.5 and 3, noise 0.24.
public struct ConcentricRingsData: DataSource {
    /// The recipe keys of this data set, with their defaults.
    public struct Configuration: ComponentConfiguration, Equatable {
        /// N, the number of samples.
        public var count = 100_000
        /// r_k, the radius of each circle.
        public var radii = [1.5, 3.0]
        /// The standard deviation of the Gaussian noise added to each coordinate.
        public var noise = 0.1

        public init() {}

        public func validate() throws(ConfigurationError) {
            try SampleGenerator.validate(count: count)
            guard !radii.isEmpty, radii.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw .outOfRange(key: "radii", value: "\(radii)", expected: "a non-empty list of finite radii ≥ 0")
            }
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
        let (radii, noise) = (configuration.radii, configuration.noise)
        return SampleGenerator.generate(
            count: configuration.count, dimension: 2, classCount: radii.count, seed: seed, uniformCount: 2,
            normalCount: 2
        ) { draw, out in
            let ring = SampleGenerator.category(draw.u(0), of: radii.count)
            let phi = 2 * Double.pi * draw.u(1)
            out[0] = Float(radii[ring] * cos(phi) + noise * draw.z(0))
            out[1] = Float(radii[ring] * sin(phi) + noise * draw.z(1))
            return ring
        }
    }
}

extension ConcentricRingsData: RegisteredComponent {
    public static let id: ComponentID = "concentric-rings"
    public static let summary = "Concentric circles with Gaussian noise (FFJORD's circles: radii 1.5 and 3)"
}
