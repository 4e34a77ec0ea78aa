import ScoreKitCore

/// Whether a time grid ends with a final denoising step to t = 0.
///
/// With `toZero` the last of a grid's `steps` steps goes from its end time to t = 0, the
/// clean-data end, where samplers return the denoised estimate: σ_N = 0 of Karras et al. (2022),
/// `noise_removal` of score_sde, `set_alpha_to_one` of diffusers' DDIM. For VE, σ(0) = sigmaMin
/// in the formula, but t = 0 still marks the noise-free end.
public enum FinalStep: String, Codable, Sendable, CaseIterable {
    /// The grid ends at its end time.
    case none
    /// The grid's last step goes to t = 0.
    case toZero
}

/// The shared shape of the continuous grids: `steps` steps from the process's prior end T down
/// to ε = max(endTime, t_min), then optionally to 0.
///
/// `position(u, T, ε)` places the point at fraction u ∈ [0, 1] of the way (u = 0 at T, u = 1 at
/// ε); the ends are set exactly.
func continuousTimes(
    for sde: some ForwardSDE, steps: Int, endTime: Double, finalStep: FinalStep,
    position: (_ fraction: Double, _ start: Double, _ end: Double) -> Double
) -> [Double] {
    let start = sde.timeRange.upperBound
    let end = Swift.max(endTime, sde.timeRange.lowerBound)
    let pointCount = finalStep == .toZero ? steps : steps + 1
    var times = [start]
    if pointCount > 1 {
        for i in 1..<(pointCount - 1) {
            times.append(position(Double(i) / Double(pointCount - 1), start, end))
        }
        times.append(end)
    }
    if finalStep == .toZero { times.append(0) }
    return times
}

/// steps ≥ 1 and endTime ≥ 0, finite.
func validateGrid(steps: Int, endTime: Double) throws(ConfigurationError) {
    try requireCount(steps, key: "steps", atMost: SizeCeiling.steps, of: "step counts")
    guard endTime >= 0, endTime.isFinite else {
        throw .outOfRange(key: "endTime", value: "\(endTime)", expected: "a finite number ≥ 0")
    }
}

/// The problem of a grid spaced by noise level on a process with a single noise level
/// (`ForwardSDE.singleNoiseLevel`), or `nil`: there is no range of levels to space.
func singleNoiseLevelProblem(for sde: some ForwardSDE) -> String? {
    guard let level = sde.singleNoiseLevel else { return nil }
    return "it spaces its times by noise level, and the process has the single noise level σ/α = \(level) at "
        + "every time; use a grid even in time (uniform, quadratic) or the times grid"
}
