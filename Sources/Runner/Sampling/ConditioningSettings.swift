public import ScoreKitCore

/// The recipe's `conditioning:` section: sampling given part of each sample (imputation,
/// inpainting), as `scorekit sample --known x.npy --mask m.npy` sets it.
///
/// ```yaml
/// conditioning: { known: x.npy, mask: m.npy }                               # replacement
/// conditioning: { known: x.npy, mask: lower-half, method: reconstruction, weight: 2 }
/// ```
/// `known` holds the known values y in data space, `[R] + sampleShape` (or `[R, d]` flat, or one
/// sample's shape for R = 1); sample i is conditioned on row i mod R. `mask` is 1 where a value is
/// known and 0 where it is sampled, of the same shape or one row for every sample; for images
/// it may instead name the region to sample (`MaskRegion`). Values where the mask is 0 are
/// ignored (NaN is allowed there).
///
/// | method | what it does |
/// |---|---|
/// | `replacement` | after every step the known part is a forward draw α(t)·y + σ(t)·z; y at the end (`ReplacementSampler`; Song et al. 2021) |
/// | `reconstruction` | replacement, and x̂₀ of the unknown part pushed by −(w_r·α/2)·∇‖y − x̂₀‖² on the known part (`ReconstructionGuidance`; Ho et al. 2022) |
/// | `moment-projection` | as `reconstruction` with Tweedie's posterior covariance of x₀ in place of (σ²/α²)·I (`ReconstructionGuidance`, `.tweedie`; Boys et al. 2023) |
public struct ConditioningSettings: ComponentConfiguration, Equatable {
    /// How the unknown part is made to agree with the known one.
    public enum Method: String, Codable, Sendable, CaseIterable {
        /// The known part replaced by a forward draw after every step.
        case replacement
        /// Replacement, plus the reconstruction-guidance term on the unknown part.
        case reconstruction
        /// Replacement, plus the reconstruction-guidance term with Tweedie's covariance.
        case momentProjection = "moment-projection"
    }

    /// A named mask for images, by the region that is sampled (mask 0 there, 1 elsewhere).
    public enum MaskRegion: String, Sendable, CaseIterable {
        /// Rows H/2 ..< H of every channel are sampled.
        case lowerHalf = "lower-half"
        /// Rows 0 ..< H/2 are sampled.
        case upperHalf = "upper-half"
        /// Columns 0 ..< W/2 are sampled.
        case leftHalf = "left-half"
        /// Columns W/2 ..< W are sampled.
        case rightHalf = "right-half"

        /// The mask `[C·H·W]` of one image of `shape` [C, H, W]: 0 in the region, 1 elsewhere.
        public func mask(shape: [Int]) -> Tensor {
            precondition(shape.count == 3, "a named mask needs images [C, H, W], got \(shape)")
            let (c, h, w) = (shape[0], shape[1], shape[2])
            var values = [Float](repeating: 1, count: c * h * w)
            for channel in 0..<c {
                for row in 0..<h {
                    for column in 0..<w {
                        let sampled: Bool
                        switch self {
                        case .lowerHalf: sampled = row >= h / 2
                        case .upperHalf: sampled = row < h / 2
                        case .leftHalf: sampled = column < w / 2
                        case .rightHalf: sampled = column >= w / 2
                        }
                        if sampled { values[(channel * h + row) * w + column] = 0 }
                    }
                }
            }
            return Tensor(values, shape: [1, c * h * w])
        }
    }

    /// The `.npy` file of the known values y, in data space.
    public var known = ""
    /// The `.npy` file of the mask (1 = known), or for images the name of the region to sample.
    public var mask = ""
    /// How the known part conditions the rest.
    public var method = Method.replacement
    /// w_r, the weight of the reconstruction term (`method: reconstruction` or `moment-projection`).
    public var weight = 1.0

    public init() {}

    public func validate() throws(ConfigurationError) {
        guard !known.isEmpty else {
            throw .outOfRange(
                key: "known", value: "\"\"",
                expected: "the path of a .npy file of the known values (or scorekit sample --known FILE)")
        }
        guard !mask.isEmpty else {
            throw .outOfRange(
                key: "mask", value: "\"\"",
                expected: "the path of a .npy file of 0/1 (1 = known), or for images one of "
                    + MaskRegion.allCases.map(\.rawValue).joined(separator: ", ") + " (or scorekit sample --mask)")
        }
        guard weight.isFinite, weight >= 0 else {
            throw .outOfRange(key: "weight", value: "\(weight)", expected: "a finite number ≥ 0")
        }
    }
}
