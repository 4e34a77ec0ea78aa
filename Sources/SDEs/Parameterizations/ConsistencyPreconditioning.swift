import Foundation
public import ScoreKitCore

/// The boundary-conditioned parameterization of a consistency model (Song et al. 2023, App. C,
/// after EDM's preconditioning): x̂₀ is the consistency function f_θ, which is the identity at σ_min.
///
/// ```
/// σ̃ = σ/α (noise level),   x̃ = x/α
/// f_θ(x̃; σ̃) = c_skip·x̃ + c_out·F_θ(c_in·x̃, c_noise)
/// c_skip = σ_d²/((σ̃ − σ_min)² + σ_d²),   c_out = σ_d·(σ̃ − σ_min)/√(σ_d² + σ̃²),   c_in = 1/√(σ̃² + σ_d²)
/// ```
/// At σ̃ = σ_min, c_skip = 1 and c_out = 0: f(x̃, σ_min) = x̃ for every network, the boundary
/// condition built in. As for `edm`, the coefficients on x itself are c_skip/α and c_in/α.
/// σ_min must be the process's σ/α at its smallest time (a recipe rule checks it); σ_d is
/// `sigmaData`. Trained by `consistency-distillation` or `consistency-training`, sampled by
/// `consistency`; any other sampler reads f_θ as a (poor) denoiser.
public struct ConsistencyPreconditioning: Parameterization {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// σ_d, the standard deviation of the data (0.5 for images in [−1, 1]).
        public var sigmaData = 0.5
        /// σ_min, the noise level where f is the identity: the process's σ/α at its smallest time.
        public var sigmaMin = 0.002

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard sigmaData > 0, sigmaData.isFinite else {
                throw .outOfRange(key: "sigmaData", value: "\(sigmaData)", expected: "a finite number > 0")
            }
            guard sigmaMin > 0, sigmaMin.isFinite else {
                throw .outOfRange(key: "sigmaMin", value: "\(sigmaMin)", expected: "a finite number > 0")
            }
        }
    }

    public let configuration: Configuration

    /// σ_d = 0.5, σ_min = 0.002.
    public init() { configuration = Configuration() }

    public init(configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public func preconditioning(for marginal: Marginal) -> Preconditioning {
        let alpha = marginal.signalScale
        let level = marginal.noiseLevel
        let data = configuration.sigmaData
        let gap = level - configuration.sigmaMin
        return Preconditioning(
            skipScale: data * data / (gap * gap + data * data) / alpha,
            outputScale: data * gap / (data * data + level * level).squareRoot(),
            inputScale: 1 / ((level * level + data * data).squareRoot() * alpha))
    }
}

extension ConsistencyPreconditioning: RegisteredComponent {
    public static let id: ComponentID = "consistency"
    public static let summary =
        "consistency-model boundary parameterization: f(x, σ_min) = x, EDM-style c_skip, c_out (Song et al. 2023)"
}
