public import ScoreKitCore

/// The recipe's `guidance:` section: classifier-free guidance (Ho & Salimans 2021) of a
/// label-conditioned network, or classifier guidance (Dhariwal & Nichol 2021) of any network by
/// a noise-conditional classifier trained in another run.
///
/// ```yaml
/// guidance: { scale: 3.0, classes: [0, 2] }     # classifier-free; sample i is drawn for class classes[i mod 2]
/// guidance: { kind: classifier, run: runs/digits-noise-classifier, scale: 3 }
/// ```
/// Classifier-free: the guided denoiser is x̂₀_∅ + w·(x̂₀_c − x̂₀_∅) (`ClassifierFreeGuidance`):
/// w = 1 samples the conditional model, w = 0 the unconditional one, w > 1 sharpens toward the
/// class; the network must be trained on `data.labelled: true` with the loss's `labelDropout`.
/// Classifier: the guided score is s_θ(x, t) + s·∇ₓ log p_φ(c | x, t) (`ClassifierGuidance`,
/// through x̂₀ so every parameterization and sampler gets it), p_φ the network of the run
/// `run` (a `ClassifierArchitecture` trained by `classifier-cross-entropy` on the same process
/// and data shape); s = 1 samples p(x | c) when model and classifier are exact.
/// A sample's class depends only on its index, so the shards a run is cut into never change it.
public struct GuidanceSettings: ComponentConfiguration, Equatable {
    /// Which guidance.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Classifier-free guidance of a label-conditioned network (the default).
        case classifierFree
        /// Classifier guidance by the noise-conditional classifier of `run`.
        case classifier
    }

    /// Which guidance: `classifierFree` (default) or `classifier`.
    public var kind = Kind.classifierFree
    /// w (classifier-free: diffusers' `guidance_scale`; Ho & Salimans write 1 + w) or s
    /// (classifier: Dhariwal & Nichol's classifier scale), the guidance scale.
    public var scale = 1.0
    /// The classes, cycled over the samples; empty: every class in turn (sample i is class i mod K).
    public var classes: [Int] = []
    /// For `kind: classifier`: the classifier's run folder (or its recipe, for an exact
    /// classifier), as `scorekit train` wrote it; a path as the command line takes it.
    public var run = ""

    public init() {}

    public func validate() throws(ConfigurationError) {
        guard scale.isFinite, scale >= 0 else {
            throw .outOfRange(key: "scale", value: "\(scale)", expected: "a finite number ≥ 0")
        }
        if let bad = classes.first(where: { $0 < 0 }) {
            throw .outOfRange(key: "classes", value: "\(bad)", expected: "class indices ≥ 0")
        }
        switch kind {
        case .classifier where run.isEmpty:
            throw .outOfRange(
                key: "run", value: "''",
                expected: "the run folder of a classifier (scorekit train of a classifier recipe)")
        case .classifierFree where !run.isEmpty:
            throw .outOfRange(
                key: "run", value: "'\(run)'", expected: "'' for classifier-free guidance (or set kind: classifier)")
        default: break
        }
    }

    /// The class of samples `first ..< first + count` among `classCount` classes.
    public func labels(first: Int, count: Int, classCount: Int) -> [Int] {
        (first..<(first + count)).map { i in classes.isEmpty ? i % classCount : classes[i % classes.count] }
    }
}
