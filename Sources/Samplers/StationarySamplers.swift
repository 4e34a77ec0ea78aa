public import ScoreKitCore

// The samplers that stay at each grid time (Langevin dynamics at p_t), so that they also sample
// a process with a single noise level (fixed-σ denoising score matching). Listed here, apart
// from their files, as `registerSamplers()` lists the module's samplers.

extension LangevinSampler: StationarySampler {}

extension AnnealedLangevinSampler: StationarySampler {}

extension MetropolisAdjustedLangevinSampler: StationarySampler {}
