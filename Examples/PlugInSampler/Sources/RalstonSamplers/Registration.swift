public import ScoreKitCore

extension ComponentRegistry {
    /// Registers this module's sampler and corrector: the one call an executable adds to
    /// `ComponentRegistry.standard()`.
    public mutating func registerRalstonSamplers() {
        register(sampler: RalstonSampler.self)
        register(corrector: NoiseLevelLangevinCorrector.self)
    }
}
