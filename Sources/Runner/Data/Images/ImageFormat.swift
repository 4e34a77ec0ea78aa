public import ScoreKitCore

/// How stored pixel levels 0…L−1 map to the values a network trains on.
///
/// ```
/// unit:       x = b/(L − 1)            ∈ [0, 1]
/// symmetric:  x = 2b/(L − 1) − 1       ∈ [−1, 1]   (DDPM's convention)
/// none:       x = b
/// ```
/// For 8-bit images L = 256 (symmetric is b/127.5 − 1); for the built-in digits L = 17.
public enum PixelScaling: String, Codable, Sendable, CaseIterable {
    /// b/(L − 1), in [0, 1].
    case unit
    /// 2b/(L − 1) − 1, in [−1, 1].
    case symmetric
    /// As stored.
    case none
}

/// Noise added to discrete pixel levels so that a continuous density can be fitted and its
/// likelihood compared across models (Theis et al. 2016; Ho et al. 2020, §3.3).
public enum Dequantization: String, Codable, Sendable, CaseIterable {
    /// The levels as they are.
    case none
    /// b + u − ½ with u ~ U[0, 1), drawn once per value from the data seed, so each value
    /// stays inside its own bin; report likelihoods with `likelihood.quantizationBinWidth` set
    /// to the bin width (`ImageFormat.binWidth`).
    case uniform
}

/// The layout and value range of image samples: `[C, H, W]` per sample, stored flat as rows of
/// `[N, C·H·W]` (channel, then row, then column: NCHW flattened), with L pixel levels.
public struct ImageFormat: Sendable, Equatable {
    /// `[C, H, W]`.
    public var shape: [Int]
    /// L, the number of stored levels (256 for bytes, 17 for the digits).
    public var levelCount: Int
    /// How levels become values.
    public var scaling: PixelScaling

    /// Images of `shape` `[C, H, W]` with `levelCount` levels, scaled by `scaling`.
    public init(shape: [Int], levelCount: Int, scaling: PixelScaling) {
        precondition(shape.count == 3 && shape.allSatisfy { $0 >= 1 }, "an image shape is [C, H, W], got \(shape)")
        precondition(levelCount >= 2, "images have at least two levels")
        self.shape = shape
        self.levelCount = levelCount
        self.scaling = scaling
    }

    /// C, the channels.
    public var channelCount: Int { shape[0] }
    /// H, the rows.
    public var height: Int { shape[1] }
    /// W, the columns.
    public var width: Int { shape[2] }
    /// C·H·W, the values per sample.
    public var dimension: Int { shape.reduce(1, *) }

    /// The width of one level's bin in value space: 1/(L − 1) (unit), 2/(L − 1) (symmetric), 1 (none).
    public var binWidth: Double {
        switch scaling {
        case .unit: 1 / Double(levelCount - 1)
        case .symmetric: 2 / Double(levelCount - 1)
        case .none: 1
        }
    }

    /// The value of level `b` (which may be fractional after dequantisation).
    public func value(ofLevel b: Float) -> Float {
        let top = Float(levelCount - 1)
        switch scaling {
        case .unit: return b / top
        case .symmetric: return 2 * b / top - 1
        case .none: return b
        }
    }

    /// The level of value `x`, the inverse of `value(ofLevel:)`, not rounded.
    public func level(ofValue x: Float) -> Float {
        let top = Float(levelCount - 1)
        switch scaling {
        case .unit: return x * top
        case .symmetric: return (x + 1) / 2 * top
        case .none: return x
        }
    }

    /// Samples `[N, C·H·W]` of stored `levels`, scaled, with dequantisation noise from stream i
    /// of `seed` for sample i when `dequantization` is `.uniform`.
    public func samples(
        levels: Tensor, dequantization: Dequantization, seed: UInt64
    ) -> Tensor {
        precondition(levels.rank == 2 && levels.shape[1] == dimension, "levels are [N, \(dimension)]")
        var shifted = levels
        if dequantization == .uniform {
            var noise = PerSampleNoise(seed: SeedSequence(seed: seed).child("dequantization").seed)
            shifted = levels + noise.uniform(levels.shape) - 0.5
        }
        return Tensor(shape: shifted.shape) { out in
            shifted.withUnsafeBufferPointer { b in
                for i in b.indices { out[i] = value(ofLevel: b[i]) }
            }
        }
    }

    /// Display intensities 0…255 of samples `[N, C·H·W]` in value space: each value mapped back
    /// to its level, rounded, clamped to 0…L−1 and stretched to 0…255 (non-finite values are 0).
    public func intensities(_ samples: Tensor) -> [UInt8] {
        let top = Float(levelCount - 1)
        return samples.scalars.map { x in
            let b = level(ofValue: x)
            guard b.isFinite else { return 0 }
            let clamped = min(max(b.rounded(), 0), top)
            return UInt8((clamped / top * 255).rounded())
        }
    }
}
