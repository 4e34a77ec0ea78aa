public import ScoreKitCore

extension ComponentRegistry {
    /// Registers every network architecture and optimizer of this module; called once by the composition root.
    ///
    /// Learning-rate schedules (`LearningRateSchedule`) and the weight average
    /// (`ExponentialMovingAverage`) are configuration values of the training loop, not
    /// components: the Runner embeds them in its `training:` section.
    public mutating func registerNetworks() {
        register(network: EnergyArchitecture.self)
        register(network: NoiseConditionalMLPArchitecture.self)
        register(network: ResidualMLPArchitecture.self)
        register(network: UNetArchitecture.self)
        register(network: UNetClassifierArchitecture.self)
        register(network: MLPClassifierArchitecture.self)
        register(optimizer: Adam.self)
        register(optimizer: AdamW.self)
        register(optimizer: StochasticGradientDescent.self)
    }
}
