public import ScoreKitCore

extension ComponentRegistry {
    /// Registers every loss of this module; called once by the composition root.
    public mutating func registerLosses() {
        register(loss: DenoisingScoreMatching.self)
        register(loss: FlowMatching.self)
        register(loss: EDMLoss.self)
        register(loss: SlicedScoreMatching.self)
        register(loss: ImplicitScoreMatching.self)
        register(loss: ExplicitScoreMatching.self)
        register(loss: ClassifierCrossEntropy.self)
        register(loss: ConsistencyDistillation.self)
        register(loss: ConsistencyTraining.self)
    }
}
