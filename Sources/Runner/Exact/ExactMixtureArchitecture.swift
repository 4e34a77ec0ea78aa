public import ScoreKitCore

/// A network section whose model is known exactly rather than trained: the Runner builds it
/// from the recipe's data, process and parameterization (`RunModel`), and `train` refuses it.
public protocol ExactModelArchitecture: NetworkArchitecture {
    /// The exact model for data drawn from `data`, with outputs in `parameterization`'s target
    /// under `sde` (so `ModelReverseProcess` denoises exactly).
    /// - Throws: `RunModelError.exactModel` when the data is not a mixture this model supports.
    func makeExactModel(
        data: DataSpecification, sde: any ForwardSDE, parameterization: any Parameterization
    ) throws(RunModelError) -> any ScoreModel
}

/// `network: { kind: exact-mixture }`: the exact score of the recipe's Gaussian-mixture data
/// (`ring`, `grid`, `gaussian-mixture` with isotropic, diagonal or full covariances), so that
/// samplers, likelihoods and encodings run without training and can be checked against closed
/// forms.
///
/// ```
/// p_t(x) = Σ_k w_k N(x; α·μ_k, C_k),   C_k = α²·Σ_k + σ²·I,   Σ_k = U_k·diag(λ_k)·U_kᵀ
/// D(x) = E[x₀ | x_t = x] = Σ_k r_k(x)·(μ_k + α·Σ_k·C_k⁻¹·(x − α·μ_k))
///      = Σ_k r_k(x)·(μ_k + α·U_k·(λ_k/(α²λ_k + σ²) ⊙ U_kᵀ(x − α·μ_k)))
/// network output F = (D(x) − c_skip·x)/c_out at input c_in·x
/// ```
/// The model is written with the engine's differentiable operations (the posterior r_k as a
/// softmax), so the likelihood's divergence differentiates it like a trained network. It has no
/// parameters; `scorekit train` rejects it. Needs `data.standardization: none` (the mixture is
/// in data space) and components of variance > 0 along every axis. Its model also gives log p_t
/// (`LogDensityModel`), so `mala` samples it.
public struct ExactMixtureArchitecture: ExactModelArchitecture, LogDensityArchitecture {
    /// No keys: everything comes from the data section.
    public struct Configuration: ComponentConfiguration, Equatable {
        public init() {}
    }

    public init(configuration: Configuration) {}

    /// Not used: the exact model is made by `makeExactModel`, and training refuses this network.
    public func makeModel(sampleShape: [Int], classCount: Int, seed: UInt64) -> any TrainableModel {
        preconditionFailure(
            "network 'exact-mixture' has nothing to train; TrainingPlan refuses it and RunModel calls makeExactModel")
    }

    public func makeExactModel(
        data: DataSpecification, sde: any ForwardSDE, parameterization: any Parameterization
    ) throws(RunModelError) -> any ScoreModel {
        guard let source = data.source as? any ExactMixtureSource else {
            throw .exactModel(
                reason: "network 'exact-mixture' needs mixture data; data set '\(data.id)' is not one",
                hint: "use data kind ring, grid or gaussian-mixture, or a trained network")
        }
        guard data.settings.standardization == .none else {
            throw .exactModel(
                reason: "network 'exact-mixture' is the mixture in data space; data.standardization is perDimension",
                hint: "set data.standardization: none")
        }
        return try makeExactMixtureModel(
            mixture: source.mixture, sde: sde, parameterization: parameterization)
    }
}

extension ExactMixtureArchitecture: RegisteredComponent {
    public static let id: ComponentID = "exact-mixture"
    public static let summary = "The exact score of the recipe's Gaussian-mixture data (no training)"
}

extension ComponentRegistry {
    /// Registers the Runner's exact models (`exact-mixture`, `exact-mixture-classifier`); called
    /// once by the composition root.
    public mutating func registerExactModels() {
        register(network: ExactMixtureArchitecture.self)
        register(network: ExactMixtureClassifierArchitecture.self)
    }
}
