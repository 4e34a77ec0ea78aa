public import ScoreKitCore
public import ScoreKitSamplers

/// The recipe's `likelihood:` section: the probability-flow likelihood's keys, flat, and the
/// RK45 solver's under `solver`. `scorekit likelihood`, `encode` and `decode` read it.
///
/// ```yaml
/// likelihood: { divergence: exact, startTime: 1e-5, solver: { rtol: 1e-5, atol: 1e-5 } }
/// ```
/// `encode` and `decode` use `startTime` (the data end of the ODE) and `solver`.
public struct LikelihoodSettings: ComponentConfiguration, Equatable {
    /// The estimator: divergence, probe, probeCount, startTime, quantizationBinWidth.
    public var estimator = ProbabilityFlowLikelihood<DormandPrinceSampler>.Configuration()
    /// The Dormand–Prince (RK45) tolerances and step-size controller.
    public var solver = DormandPrinceSampler.Configuration()

    public init() {}

    private enum Keys: String, CodingKey { case solver }

    public init(from decoder: any Decoder) throws {
        estimator = try ProbabilityFlowLikelihood<DormandPrinceSampler>.Configuration(from: decoder)
        solver = try decoder.container(keyedBy: Keys.self).decode(
            DormandPrinceSampler.Configuration.self, forKey: .solver)
    }

    public func encode(to encoder: any Encoder) throws {
        try estimator.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(solver, forKey: .solver)
    }

    public func validate() throws(ConfigurationError) {
        try estimator.validate()
        do {
            try solver.validate()
        } catch {
            if case .outOfRange(let key, let value, let expected) = error {
                throw .outOfRange(key: "solver.\(key)", value: value, expected: expected)
            }
            throw error
        }
    }

    /// The likelihood estimator these settings describe.
    public func likelihood() throws(ConfigurationError) -> ProbabilityFlowLikelihood<DormandPrinceSampler> {
        try ProbabilityFlowLikelihood(configuration: estimator, solver: DormandPrinceSampler(configuration: solver))
    }

    /// The encoder these settings describe (its data end at `startTime`).
    public func encoder() throws(ConfigurationError) -> ProbabilityFlowEncoder<DormandPrinceSampler> {
        var configuration = ProbabilityFlowEncoder<DormandPrinceSampler>.Configuration()
        configuration.startTime = estimator.startTime
        return try ProbabilityFlowEncoder(
            configuration: configuration, solver: DormandPrinceSampler(configuration: solver))
    }
}
