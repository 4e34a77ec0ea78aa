import Foundation
import ScoreKitCore
import ScoreKitSDEs
import ScoreKitSamplers
import ScoreKitTesting
import Testing

@Suite("ClippedProcess: clip_sample and dynamic thresholding")
struct ClippedProcessTests {
    static let sde = VariancePreservingSDE()
    static let base = MixtureDenoiser(sde: sde, means: [[3, 0], [-3, 1]], standardDeviation: 0.3)

    static func clipping(
        _ mode: DenoisedClipping.Mode, range: Double, percentile: Double = 0.995
    ) throws
        -> DenoisedClipping
    {
        var c = DenoisedClipping()
        (c.mode, c.range, c.percentile) = (mode, range, percentile)
        try c.validate()
        return c
    }

    /// x̂₀ clamped to [−r, r]; ε̂ is the model's own, so DDIM's step is
    /// α_s·clip(x̂₀) + σ_s·(x − α_t·x̂₀)/σ_t, as diffusers' DDIMScheduler with clip_sample.
    @Test func ddimPairsTheClippedEstimateWithTheModelsNoise() throws {
        let process = ClippedProcess(base: Self.base, clipping: try Self.clipping(.static, range: 1))
        var noise = PerSampleNoise(seed: 4)
        let x = noise.normal([16, 2])
        let (t, s) = (0.5, 0.3)
        let raw = Self.base.denoised(x, at: t)
        let clipped = process.denoised(x, at: t)
        #expect(clipped == clamp(raw, min: -1, max: 1))
        #expect(raw.scalars.contains { Swift.abs($0) > 1 }, "the check must clip something")
        let (mt, ms) = (Self.sde.marginal(at: t), Self.sde.marginal(at: s))
        let epsilon = (x - raw * Float(mt.signalScale)) * Float(1 / mt.noiseScale)
        let expected = clipped * Float(ms.signalScale) + epsilon * Float(ms.noiseScale)
        var unused = PerSampleNoise(seed: 0)
        var state: Void = ()
        let stepped = try DDIMSampler().step(
            x, over: TimeStep(start: t, end: s, index: 0, count: 2), state: &state, process: process, noise: &unused)
        let error = (stepped - expected).scalars.map { Swift.abs($0) }.max() ?? .infinity
        #expect(error < 1e-6)
    }

    @Test func dynamicThresholdingRescalesEachSample() throws {
        let process = ClippedProcess(base: Self.base, clipping: try Self.clipping(.dynamic, range: 2, percentile: 0.5))
        var noise = PerSampleNoise(seed: 5)
        let x = noise.normal([8, 2]) * 2
        let raw = Self.base.denoised(x, at: 0.2)
        #expect(process.denoised(x, at: 0.2) == raw.thresholdedRows(percentile: 0.5, maximum: 2))
    }

    @Test func settingsAreChecked() {
        #expect(throws: ConfigurationError.self) { try Self.clipping(.dynamic, range: -0.5) }
        #expect(throws: ConfigurationError.self) { try Self.clipping(.static, range: 0) }
        #expect(throws: ConfigurationError.self) { try Self.clipping(.dynamic, range: 2, percentile: 1.5) }
    }
}
