public import ScoreKitCore

/// The recipe's `guidance:` section: classifier-free guidance (Ho & Salimans 2021) when sampling
/// a label-conditioned network (trained on `data.labelled: true` with the loss's `labelDropout`).
///
/// ```yaml
/// guidance: { scale: 3.0, classes: [0, 2] }   # sample i is drawn for class classes[i mod 2]
/// ```
/// The guided denoiser is x̂₀_∅ + w·(x̂₀_c − x̂₀_∅) (`ClassifierFreeGuidance`): w = 1 samples the
/// conditional model, w = 0 the unconditional one, w > 1 sharpens toward the class. A sample's
/// class depends only on its index, so the shards a run is cut into never change it.
public struct GuidanceSettings: ComponentConfiguration, Equatable {
    /// w, the guidance scale (diffusers' `guidance_scale`; Ho & Salimans write 1 + w).
    public var scale = 1.0
    /// The classes, cycled over the samples; empty: every class in turn (sample i is class i mod K).
    public var classes: [Int] = []

    public init() {}

    public func validate() throws(ConfigurationError) {
        guard scale.isFinite, scale >= 0 else {
            throw .outOfRange(key: "scale", value: "\(scale)", expected: "a finite number ≥ 0")
        }
        if let bad = classes.first(where: { $0 < 0 }) {
            throw .outOfRange(key: "classes", value: "\(bad)", expected: "class indices ≥ 0")
        }
    }

    /// The class of samples `first ..< first + count` among `classCount` classes.
    public func labels(first: Int, count: Int, classCount: Int) -> [Int] {
        (first..<(first + count)).map { i in classes.isEmpty ? i % classCount : classes[i % classes.count] }
    }
}
