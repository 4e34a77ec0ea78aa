public import ScoreKitCore

extension ComponentRegistry {
    /// Registers every sampler and corrector of this module; called once by the composition root.
    public mutating func registerSamplers() {
        // Stochastic samplers.
        register(sampler: EulerMaruyamaSampler.self)
        register(sampler: ReverseDiffusionSampler.self)
        register(sampler: AncestralSampler.self)
        register(sampler: EulerAncestralSampler.self)
        register(sampler: DPMSolverSDESampler.self)
        register(sampler: LangevinSampler.self)
        register(sampler: AnnealedLangevinSampler.self)
        register(sampler: MetropolisAdjustedLangevinSampler.self)
        register(sampler: PredictorCorrectorSampler.self)
        register(corrector: LangevinCorrector.self)

        // Deterministic samplers.
        register(sampler: EulerSampler.self)
        register(sampler: HeunSampler.self)
        register(sampler: MidpointSampler.self)
        register(sampler: RungeKutta4Sampler.self)
        register(sampler: AdamsBashforthSampler.self)
        register(sampler: DormandPrinceSampler.self)
        register(sampler: DDIMSampler.self)
        register(sampler: DPMSolverSampler.self)
        register(sampler: DPMSolverPlusPlusSampler.self)
        register(sampler: UniPCSampler.self)
        register(sampler: EDMHeunSampler.self)
        register(sampler: ConsistencySampler.self)
    }
}
