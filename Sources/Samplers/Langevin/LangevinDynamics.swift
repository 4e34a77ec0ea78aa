import ScoreKitCore

/// `count` iterations of (unadjusted) Langevin dynamics at t = `step.start`, the shared core of
/// `langevin`, `annealed-langevin` and the `langevin` corrector:
///
/// ```
/// x ← x + a·∇log p_t(x) + √(2aτ)·z,   z ~ N(0, I)
/// ```
/// On the final denoising step (`step.end == 0`) one more evaluation returns Tweedie's x̂₀(x, t)
/// after the iterations (NCSNv2's final denoising): `count` + 1 evaluations. Stops with
/// `nonFinite` at the first iteration that leaves NaN or ±∞.
func langevinIterations<S>(
    _ x: Tensor, over step: TimeStep, stepSize a: Double, count: Int, temperature: Double,
    process: some ReverseProcess, noise: inout some NoiseSource, reporting sampler: S.Type
) throws(SamplingError) -> Tensor {
    var x = x
    let t = step.start
    let m = process.marginal(at: t)
    let spread = Float((2 * a * temperature).squareRoot())
    for _ in 0..<count {
        let score = Prediction.score.value(fromDenoised: process.denoised(x, at: t), noisy: x, marginal: m)
        x = x + score * Float(a) + noise.normal(x.shape) * spread
        try requireFinite(x, in: sampler, at: step)
    }
    return step.isFinalDenoising ? process.denoised(x, at: t) : x
}

/// N·K evaluations for N steps of K iterations, + 1 when the last step goes to t = 0.
func langevinEvaluationCount(forTimes times: [Double], iterations: Int) -> Int {
    let stepCount = Swift.max(times.count - 1, 0)
    return stepCount * iterations + (stepCount > 0 && times.last == 0 ? 1 : 0)
}
