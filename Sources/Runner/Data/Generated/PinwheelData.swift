import Foundation
public import ScoreKitCore

/// The pinwheel of Johnson et al. (2016) as in the FFJORD toy sets, labelled by arm; arm k is
/// arm 0 turned by −2πk/K.
///
/// ```
/// f = (1 + σ_r·z₁, σ_t·z₂),   k ~ U{0 … K − 1}
/// φ = 2πk/K + rate·exp(f₁)
/// x = scale·(f₁ cos φ + f₂ sin φ, −f₁ sin φ + f₂ cos φ)
/// ```
/// Defaults as FFJORD: 5 arms, σ_r = 0.3, σ_t = 0.1, rate 0.25, scale 2.
public struct PinwheelData: DataSource {
    /// The recipe keys of this data set, with their defaults.
    public struct Configuration: ComponentConfiguration, Equatable {
        /// N, the number of samples.
        public var count = 100_000
        /// K, the number of arms.
        public var armCount = 5
        /// σ_r, the radial standard deviation.
        public var radialStandardDeviation = 0.3
        /// σ_t, the tangential standard deviation.
        public var tangentialStandardDeviation = 0.1
        /// How fast an arm turns with the radius.
        public var rate = 0.25
        /// The factor applied last.
        public var scale = 2.0

        public init() {}

        public func validate() throws(ConfigurationError) {
            try SampleGenerator.validate(count: count)
            try requireCount(armCount, key: "armCount", atMost: SizeCeiling.components, of: "mixture components")
            try SampleGenerator.validateNonNegative(radialStandardDeviation, key: "radialStandardDeviation")
            try SampleGenerator.validateNonNegative(tangentialStandardDeviation, key: "tangentialStandardDeviation")
            guard rate.isFinite else { throw .outOfRange(key: "rate", value: "\(rate)", expected: "a finite number") }
            try SampleGenerator.validatePositive(scale, key: "scale")
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
            count: c.count, dimension: 2, classCount: c.armCount, seed: seed, uniformCount: 1, normalCount: 2
        ) { draw, out in
            let arm = SampleGenerator.category(draw.u(0), of: c.armCount)
            let f1 = 1 + c.radialStandardDeviation * draw.z(0)
            let f2 = c.tangentialStandardDeviation * draw.z(1)
            let phi = 2 * Double.pi * Double(arm) / Double(c.armCount) + c.rate * exp(f1)
            out[0] = Float(c.scale * (f1 * cos(phi) + f2 * sin(phi)))
            out[1] = Float(c.scale * (-f1 * sin(phi) + f2 * cos(phi)))
            return arm
        }
    }
}

extension PinwheelData: RegisteredComponent {
    public static let id: ComponentID = "pinwheel"
    public static let summary = "The pinwheel of Johnson et al. (2016), as in FFJORD: 5 arms"
}
