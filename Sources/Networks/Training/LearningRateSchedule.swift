import Foundation
public import ScoreKitCore

/// The learning rate as a function of the step: constant, linear warm-up, cosine decay to a
/// floor, or warm-up then cosine decay.
///
/// With η the peak rate, n = 0, 1, … the index of the update being applied, W = `warmupSteps`,
/// T = `decaySteps` (or the run's step count when 0) and f = `floor`:
///
/// ```
/// constant       η
/// linearWarmup   η·min(1, (n + 1)/W)
/// cosine         η·[f + (1 − f)·½(1 + cos(π·p))],   p = min(n/T, 1)
/// warmupCosine   η·(n + 1)/W for n < W, then cosine with p = min((n − W)/(T − W), 1)
/// ```
/// Sources: Goyal et al. (2017) for linear warm-up (score_sde's `warmup`, 5000 steps, with its
/// first step at n/W = 0 where this one takes (n + 1)/W, so that no update is wasted);
/// Loshchilov & Hutter (2017), SGDR, for cosine decay to η_min = f·η (`CosineAnnealingLR`);
/// warm-up + cosine is `get_cosine_schedule_with_warmup` of transformers (with a floor).
/// A configuration value, so the Runner's `training:` section can embed it:
/// `learningRateSchedule: { kind: warmupCosine, warmupSteps: 1000, floor: 0.01 }`.
public struct LearningRateSchedule: ComponentConfiguration, Equatable {
    /// The shape of the schedule.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case constant
        case linearWarmup
        case cosine
        case warmupCosine
    }

    public var kind = Kind.constant
    /// W, the number of warm-up updates (`linearWarmup`, `warmupCosine`).
    public var warmupSteps = 0
    /// T, the update at which the cosine reaches the floor; 0 means the run's step count.
    public var decaySteps = 0
    /// f = η_min/η, the fraction of the peak rate the cosine decays to.
    public var floor = 0.0

    public init() {}

    /// A schedule of `kind` with the given settings.
    public init(kind: Kind, warmupSteps: Int = 0, decaySteps: Int = 0, floor: Double = 0) {
        self.kind = kind
        self.warmupSteps = warmupSteps
        self.decaySteps = decaySteps
        self.floor = floor
    }

    public func validate() throws(ConfigurationError) {
        let warms = kind == .linearWarmup || kind == .warmupCosine
        guard warms ? warmupSteps >= 1 : warmupSteps == 0 else {
            throw .outOfRange(
                key: "warmupSteps", value: "\(warmupSteps)",
                expected: warms
                    ? "an integer ≥ 1 for \(kind.rawValue)"
                    : "0 for \(kind.rawValue) (use linearWarmup or warmupCosine)")
        }
        guard decaySteps >= 0, kind != .warmupCosine || decaySteps == 0 || decaySteps > warmupSteps else {
            throw .outOfRange(
                key: "decaySteps", value: "\(decaySteps)",
                expected: "0 (the run's length) or an integer > warmupSteps (\(warmupSteps))")
        }
        guard (0...1).contains(floor) else {
            throw .outOfRange(key: "floor", value: "\(floor)", expected: "a number in [0, 1]")
        }
    }

    /// The factor on the peak rate for update `step` (0-based) of a run of `stepCount` updates.
    public func factor(atStep step: Int, stepCount: Int) -> Double {
        precondition(step >= 0, "steps count from 0, got \(step)")
        let n = Double(step)
        let w = Double(warmupSteps)
        let total = Double(decaySteps > 0 ? decaySteps : Swift.max(stepCount, 1))
        switch kind {
        case .constant:
            return 1
        case .linearWarmup:
            return Swift.min(1, (n + 1) / w)
        case .cosine:
            return cosine(progress: n / total)
        case .warmupCosine:
            if n < w { return (n + 1) / w }
            return cosine(progress: total > w ? (n - w) / (total - w) : 1)
        }
    }

    /// η times `factor(atStep:stepCount:)`.
    public func learningRate(atStep step: Int, peak: Double, stepCount: Int) -> Double {
        peak * factor(atStep: step, stepCount: stepCount)
    }

    private func cosine(progress: Double) -> Double {
        let p = Swift.min(Swift.max(progress, 0), 1)
        return floor + (1 - floor) * 0.5 * (1 + Foundation.cos(Double.pi * p))
    }
}
