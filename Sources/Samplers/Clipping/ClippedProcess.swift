public import ScoreKitCore

/// How x̂₀ is kept in range while sampling: diffusers' `clip_sample` and `thresholding`.
///
/// ```yaml
/// clipping: { mode: static, range: 1.0 }                        # x̂₀ ← clamp(x̂₀, −1, 1)
/// clipping: { mode: dynamic, percentile: 0.995, range: 1.5 }    # Imagen's dynamic thresholding
/// ```
/// ```
/// static    x̂₀ ← clamp(x̂₀, −r, r)
/// dynamic   s = clamp(quantile_p(|x̂₀|), 1, r) per sample,   x̂₀ ← clamp(x̂₀, −s, s)/s
/// ```
/// For data known to lie in [−r, r] (images scaled to [−1, 1]): a sampler's x̂₀ outside it is
/// an error of the model, and clipping keeps early, noisy steps from pushing samples out
/// (Ho et al. 2020's sampler clips; Saharia et al. 2022 §2.3 thresholds for large guidance).
/// Only sampling is affected; likelihood and encoding use the model as it is.
public struct DenoisedClipping: ComponentConfiguration, Equatable {
    /// How x̂₀ is clipped.
    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// To [−range, range] (`clip_sample`, `clip_sample_range`).
        case `static`
        /// Per sample, to the `percentile` quantile of |x̂₀| held in [1, range], then rescaled
        /// (`thresholding`, `dynamic_thresholding_ratio`, `sample_max_value`).
        case dynamic
    }

    /// The kind of clipping.
    public var mode = Mode.static
    /// r: the bound (static) or the largest threshold s (dynamic; below 1 it is the threshold
    /// itself, as torch's clamp to [1, r] gives).
    public var range = 1.0
    /// p, the quantile of |x̂₀| taken as the threshold (dynamic only).
    public var percentile = 0.995

    public init() {}

    public func validate() throws(ConfigurationError) {
        guard range.isFinite, range > 0 else {
            throw .outOfRange(key: "range", value: "\(range)", expected: "a finite number > 0")
        }
        guard percentile.isFinite, percentile > 0, percentile <= 1 else {
            throw .outOfRange(key: "percentile", value: "\(percentile)", expected: "a number in (0, 1]")
        }
    }

    /// `denoised` clipped.
    public func apply(_ denoised: Tensor) -> Tensor {
        switch mode {
        case .static: return clamp(denoised, min: Float(-range), max: Float(range))
        case .dynamic: return denoised.thresholdedRows(percentile: percentile, maximum: range)
        }
    }
}

/// A reverse process whose x̂₀ is clipped (`DenoisedClipping`); ε̂ stays the model's own, as
/// diffusers' DDIM pairs it with the clipped x̂₀.
public struct ClippedProcess<Base: ReverseProcess>: ReverseProcess {
    /// The process clipped.
    public let base: Base
    /// How.
    public let clipping: DenoisedClipping

    public init(base: Base, clipping: DenoisedClipping) {
        self.base = base
        self.clipping = clipping
    }

    public var sde: Base.SDE { base.sde }

    public func denoised(_ x: Tensor, at time: Double) -> Tensor { clipping.apply(base.denoised(x, at: time)) }

    public func denoised(_ x: Tensor, at times: [Double]) -> Tensor { clipping.apply(base.denoised(x, at: times)) }

    public func denoisedAndNoise(_ x: Tensor, at time: Double) -> (denoised: Tensor, noise: Tensor) {
        let (denoised, noise) = base.denoisedAndNoise(x, at: time)
        return (clipping.apply(denoised), noise)
    }

    public func restricted(toRows rows: [Int]) -> ClippedProcess? {
        base.restricted(toRows: rows).map { ClippedProcess(base: $0, clipping: clipping) }
    }
}
