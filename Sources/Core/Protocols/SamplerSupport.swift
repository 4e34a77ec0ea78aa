// Pieces that samplers, ScoreKit's own and plug-ins alike, are made of.

extension TimeStep {
    /// Whether this step goes to t = 0, the noise-free end: the final denoising step of a grid
    /// with `finalStep: toZero`, where samplers return Tweedie's estimate x̂₀(x, t) at `start`.
    public var isFinalDenoising: Bool { end == 0 }
}

/// Per-sample values `[N]` shaped `[N, 1, …]` to broadcast against `x` of shape `[N, …]`.
public func perSample(_ values: Tensor, like x: Tensor) -> Tensor {
    values.reshaped([x.shape[0]] + Array(repeating: 1, count: Swift.max(x.rank - 1, 0)))
}

/// ‖x_i‖ for each sample of `x`, `[N]`: one row per sample, so no sample depends on its batch.
public func sampleNorms(_ x: Tensor) -> Tensor {
    x.reshaped([x.shape[0], -1]).rowNorm()
}

/// Throws `nonFinite` when `x` holds NaN or ±∞ in the middle of a multi-iteration step, so a
/// diverging chain stops at once instead of running its remaining iterations on NaN.
public func requireFinite<S>(_ x: Tensor, in sampler: S.Type, at step: TimeStep) throws(SamplingError) {
    guard x.isFinite else {
        throw .nonFinite(sampler: String(describing: S.self), step: step.index, stepCount: step.count, time: step.start)
    }
}

/// `value` is finite and > 0.
public func requirePositive(_ value: Double, key: String) throws(ConfigurationError) {
    guard value > 0, value.isFinite else {
        throw .outOfRange(key: key, value: "\(value)", expected: "a finite number > 0")
    }
}

/// `value` is finite and ≥ 0.
public func requireNonNegative(_ value: Double, key: String) throws(ConfigurationError) {
    guard value >= 0, value.isFinite else {
        throw .outOfRange(key: key, value: "\(value)", expected: "a finite number ≥ 0")
    }
}

/// `value` ≥ 1.
public func requireCount(_ value: Int, key: String) throws(ConfigurationError) {
    guard value >= 1 else { throw .outOfRange(key: key, value: "\(value)", expected: "an integer ≥ 1") }
}

/// `value` is finite and ≥ `lower`.
public func requireAtLeast(_ value: Double, _ lower: Double, key: String) throws(ConfigurationError) {
    guard value >= lower, value.isFinite else {
        let bound = lower == lower.rounded() ? "\(Int(lower))" : "\(lower)"
        throw .outOfRange(key: key, value: "\(value)", expected: "a finite number ≥ \(bound)")
    }
}
