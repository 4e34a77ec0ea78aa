public import ScoreKitCore

/// What is known of each sample of a batch: values and a 0/1 mask, for conditional sampling
/// from partial observations (imputation, inpainting; Song et al. 2021, §5 and Appendix I.2).
///
/// ```
/// m ∈ {0, 1}ᵈ        1 = known: x₀[m] = y[m]
/// x_t ← (1 − m)·x_t + m·(α(t)·y + σ(t)·z),   z ~ N(0, I) from each sample's own stream
/// x₀  ← (1 − m)·x₀ + m·y                     at the end of a run
/// ```
/// The known coordinates are put where the forward process would have them at t (its marginal,
/// `ForwardSDE.marginal(at:)`); `ReplacementSampler` does it after every step. The draws come
/// from a `PerSampleNoise` of their own, so the sampler's draws are those of an unconditioned run
/// and sample i's result depends on its seed and index only, never on the shard it runs in.
public struct SampleObservation: Sendable {
    /// y, the known values `[N] + sampleShape` (any value where the mask is 0).
    public var known: Tensor
    /// m, 1 where a value is known and 0 elsewhere: `[N] + sampleShape`, or `[1] + sampleShape`
    /// for a mask every sample shares.
    public var mask: Tensor
    /// The replacement's draws, one stream per sample of the batch.
    public var noise: PerSampleNoise

    /// The observation of a batch: `known` `[N, …]`, `mask` of the same shape or with one row.
    public init(known: Tensor, mask: Tensor, noise: PerSampleNoise) {
        precondition(
            mask.rank == known.rank && Array(mask.shape.dropFirst()) == Array(known.shape.dropFirst())
                && (mask.shape.first == 1 || mask.shape.first == known.shape.first),
            "a mask of shape \(mask.shape) for known values of shape \(known.shape)")
        self.known = known
        self.mask = mask
        self.noise = noise
    }

    /// `x` with the known coordinates drawn from the forward process at the marginal `m`:
    /// α·y + σ·z there, `x` elsewhere; `noise` gives z.
    public func replaced(_ x: Tensor, marginal m: Marginal, noise: inout PerSampleNoise) -> Tensor {
        precondition(x.shape == known.shape, "a batch of shape \(x.shape) for an observation of shape \(known.shape)")
        let z = noise.normal(x.shape)
        let forward = known * Float(m.signalScale) + z * Float(m.noiseScale)
        return x * (1 - mask) + forward * mask
    }

    /// `x` with the known coordinates set to y exactly: the end of a run.
    public func imposed(on x: Tensor) -> Tensor {
        precondition(x.shape == known.shape, "a batch of shape \(x.shape) for an observation of shape \(known.shape)")
        return x * (1 - mask) + known * mask  // exact for m ∈ {0, 1} and finite x
    }
}
