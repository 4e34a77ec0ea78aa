import Foundation
public import ScoreKitCore

/// EDM's preconditioning (Karras et al. 2022, Table 1 and App. B.6): unit-variance input and
/// target at every noise level.
///
/// ```
/// σ̃ = σ/α (noise level),   x̃ = x/α   (x̃ = x₀ + σ̃·ε)
/// D(x̃; σ̃) = c_skip·x̃ + c_out·F(c_in·x̃, c_noise)
/// c_skip = σ_d²/(σ̃² + σ_d²),   c_out = σ̃·σ_d/√(σ̃² + σ_d²),   c_in = 1/√(σ̃² + σ_d²),   c_noise = ¼ ln σ̃
/// training target F* = (x₀ − c_skip·x̃)/c_out,   EDM's loss weight λ = 1/c_out²
/// ```
/// σ_d is `sigmaData`. For processes with α ≠ 1 it works in units of x/α, so the coefficients
/// on x itself are c_skip/α and c_in/α (c_out unchanged): `preconditioning(for:)` returns
/// those. c_noise is what the network should be conditioned on; `NoiseCondition.logNoiseLevel`
/// is ln σ̃ (= 4·c_noise).
/// - Note: Matches `EDMPrecond` of the EDM code for α = 1.
public struct EDMPreconditioning: Parameterization {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// σ_data, the standard deviation of the data (0.5 for images in [−1, 1]).
        public var sigmaData = 0.5

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard sigmaData > 0, sigmaData.isFinite else {
                throw .outOfRange(key: "sigmaData", value: "\(sigmaData)", expected: "a finite number > 0")
            }
        }
    }

    public let configuration: Configuration

    /// The preconditioning with σ_data = 0.5.
    public init() { configuration = Configuration() }

    /// The preconditioning of `configuration`, validated.
    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public func preconditioning(for marginal: Marginal) -> Preconditioning {
        let alpha = marginal.signalScale
        let level = marginal.noiseLevel
        let data = configuration.sigmaData
        let total = level * level + data * data
        return Preconditioning(
            skipScale: data * data / total / alpha,
            outputScale: level * data / total.squareRoot(),
            inputScale: 1 / (total.squareRoot() * alpha))
    }

    /// c_noise = ¼ ln(σ/α), the noise conditioning EDM feeds its network.
    public func noiseConditioning(for marginal: Marginal) -> Double {
        0.25 * Foundation.log(marginal.noiseLevel)
    }
}

extension EDMPreconditioning: RegisteredComponent {
    public static let id: ComponentID = "edm"
    public static let summary = "EDM preconditioning c_skip, c_out, c_in, c_noise with σ_data (Karras et al. 2022)"
}
