public import ScoreKitCore

extension ComponentRegistry {
    /// Registers every forward process, time grid and parameterization of this module; called
    /// once by the composition root.
    public mutating func registerSDEs() {
        register(sde: VariancePreservingSDE.self)
        register(sde: SubVariancePreservingSDE.self)
        register(sde: VarianceExplodingSDE.self)
        register(sde: CosineSDE.self)
        register(sde: EDMSDE.self)
        register(sde: LinearInterpolantSDE.self)
        register(sde: DiscreteDDPMSDE.self)

        register(timeGrid: UniformTimeGrid.self)
        register(timeGrid: QuadraticTimeGrid.self)
        register(timeGrid: KarrasTimeGrid.self)
        register(timeGrid: LogSNRTimeGrid.self)
        register(timeGrid: GeometricTimeGrid.self)
        register(timeGrid: DiscreteTimeGrid.self)
        register(timeGrid: ExplicitTimeGrid.self)

        register(parameterization: EpsilonPrediction.self)
        register(parameterization: ScorePrediction.self)
        register(parameterization: DenoisedPrediction.self)
        register(parameterization: VelocityPrediction.self)
        register(parameterization: FlowVelocityPrediction.self)
        register(parameterization: EDMPreconditioning.self)
        register(parameterization: ConsistencyPreconditioning.self)
    }
}
