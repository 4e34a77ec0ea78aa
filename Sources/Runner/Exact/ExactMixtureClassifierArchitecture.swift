public import ScoreKitCore
import ScoreKitNetworks
public import ScoreKitSamplers

/// A classifier known exactly rather than trained: the Runner builds it from the recipe's data
/// (`GuidanceClassifier`), and `train` refuses it.
public protocol ExactClassifierArchitecture: ClassifierArchitecture {
    /// The exact noise-conditional classifier of data drawn from `data`, with its class count.
    /// - Throws: `RunModelError.exactModel` when the data is not a mixture this classifier supports.
    func makeExactClassifier(
        data: DataSpecification
    ) throws(RunModelError) -> (classifier: any NoiseConditionalClassifier, classCount: Int)
}

/// `network: { kind: exact-mixture-classifier }`: the exact posterior p_t(k | x) of the recipe's
/// Gaussian-mixture data over its components, for classifier guidance with a known answer.
///
/// ```
/// p_t(k | x) = w_k N(x; α·μ_k, C_k) / Σ_j w_j N(x; α·μ_j, C_j),   C_k = α²·Σ_k + σ²·I
/// ∇ₓ log p_t(k | x) = s_k(x) − ∇ log p_t(x)        s_k: the score of component k alone
/// ```
/// With guidance scale 1 on the exact unconditional model (`exact-mixture`), the guided score
/// is component k's, so samples of class k follow N(μ_k, Σ_k) (Bayes). Classes are component
/// indices; the data must be in data space (`standardization: none`), as for `exact-mixture`.
public struct ExactMixtureClassifierArchitecture: ExactClassifierArchitecture {
    /// No keys: everything comes from the data section.
    public struct Configuration: ComponentConfiguration, Equatable {
        public init() {}
    }

    public init(configuration: Configuration) {}

    /// Not used: the classifier is made by `makeExactClassifier`, and training refuses this network.
    public func makeModel(sampleShape: [Int], classCount: Int, seed: UInt64) -> any TrainableModel {
        preconditionFailure(
            "network 'exact-mixture-classifier' has nothing to train; TrainingPlan refuses it and "
                + "GuidanceClassifier calls makeExactClassifier")
    }

    public func makeExactClassifier(
        data: DataSpecification
    ) throws(RunModelError) -> (classifier: any NoiseConditionalClassifier, classCount: Int) {
        guard let source = data.source as? any ExactMixtureSource else {
            throw .exactModel(
                reason: "network 'exact-mixture-classifier' needs mixture data; data set '\(data.id)' is not one",
                hint: "use data kind ring, grid or gaussian-mixture, or a trained classifier")
        }
        guard data.settings.standardization == .none else {
            throw .exactModel(
                reason: "network 'exact-mixture-classifier' works in data space; data.standardization is perDimension",
                hint: "set data.standardization: none")
        }
        return (ExactMixturePosterior(mixture: source.mixture), source.mixture.componentCount)
    }
}

/// ∇ₓ log p_t(k | x) of a Gaussian mixture (`GaussianMixture.logPosteriorGradient`).
struct ExactMixturePosterior: NoiseConditionalClassifier {
    let mixture: GaussianMixture

    func logProbabilityGradient(_ x: Tensor, classes: [Int], at time: Double, marginal: Marginal) -> Tensor {
        mixture.logPosteriorGradient(x, classes: classes, marginal: marginal)
    }
}

extension ExactMixtureClassifierArchitecture: RegisteredComponent {
    public static let id: ComponentID = "exact-mixture-classifier"
    public static let summary =
        "The exact posterior p_t(k | x) of the recipe's Gaussian-mixture data, for classifier guidance (no training)"
}
