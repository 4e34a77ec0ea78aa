public import ScoreKitCore

/// Cross-entropy of a noise-conditional classifier on noised labelled data: what classifier
/// guidance's p_φ(y | x_t, t) is trained with (Dhariwal & Nichol 2021, §4; Song et al. 2021, §5).
///
/// ```
/// t ~ U[t_min, t_max],  ε ~ N(0, I),  x_t = α(t)·x₀ + σ(t)·ε
/// L = −(1/N)·Σ_i log softmax(f_φ(x_t,i, t_i))[y_i]
/// ```
/// The model (a `ClassifierArchitecture`) gives logits `[N, K]`; the batch's labels are the
/// classes. Any forward process: x_t comes from the recipe's `sde`, so the classifier learns
/// p(y | x_t) of that process, which is what guidance of a run on the same process needs. The
/// recipe's `parameterization` is not used.
/// - Precondition: the batch has labels (the recipe check asks for `data.labelled: true`).
public struct ClassifierCrossEntropy: ClassificationLoss {
    /// No settings: times are uniform over the process's range, so the classifier knows every t.
    public struct Configuration: ComponentConfiguration, Equatable {
        public init() {}
        public func validate() throws(ConfigurationError) {}
    }

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public func evaluate(
        _ batch: TrainingBatch, model: some ScoreModel, sde: some ForwardSDE,
        parameterization: some Parameterization, noise: inout some NoiseSource
    ) -> LossEvaluation {
        guard let labels = batch.labels else {
            preconditionFailure("classifier-cross-entropy needs labelled data (data.labelled: true)")
        }
        let data = batch.data
        let n = batch.count
        let range = sde.timeRange
        let times = noise.uniform([n]).scalars.map {
            range.lowerBound + Double($0) * (range.upperBound - range.lowerBound)
        }
        let eps = noise.normal(data.shape)
        let marginals = times.map { sde.marginal(at: $0) }
        let column = [n] + [Int](repeating: 1, count: data.rank - 1)
        let alpha = Tensor(marginals.map { Float($0.signalScale) }, shape: column)
        let sigma = Tensor(marginals.map { Float($0.noiseScale) }, shape: column)
        let noisy = data * alpha + eps * sigma
        let logits = model(noisy, NoiseCondition(times: times, marginals: marginals))
        let perSample = -classLogProbability(logits: logits, classes: labels)
        return LossEvaluation(value: perSample.mean(), times: times, perSample: perSample.detached())
    }

}

extension ClassifierCrossEntropy: RegisteredComponent {
    public static let id: ComponentID = "classifier-cross-entropy"
    public static let summary =
        "cross-entropy of a noise-conditional classifier on x_t at uniform t, for classifier guidance"
}
