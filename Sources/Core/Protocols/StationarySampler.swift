/// A sampler whose steps stay at the grid's times: each step runs a Markov chain that leaves
/// p_t at the step's start time invariant (Langevin dynamics), and never carries a sample from
/// one noise level to another by integrating the reverse SDE or the probability-flow ODE.
///
/// ```
/// at t = step.start:   x ← K_t(x),   K_t leaves p_t invariant (exactly, or up to a step-size bias)
/// ```
/// It needs the score at the grid's times only, so it is the one kind of sampler that samples a
/// process with a single noise level (`ForwardSDE.singleNoiseLevel`: denoising score matching at
/// a fixed σ), where the reverse SDE and the probability-flow ODE do not move a sample.
///
/// A refinement, not a flag (STYLE.md §4): the Runner asks `sampler as? any StationarySampler`
/// when it resolves a recipe on such a process and refuses any other sampler there.
public protocol StationarySampler: Sampler {}
