public import ScoreKitCore
public import ScoreKitSamplers

/// The known values and mask of a `conditioning` section (`ConditioningSettings`), read from
/// their files and checked, as rows `[R, d]`.
///
/// ```swift
/// let observations = try Observations.load(settings, sampleShape: [1, 8, 8], in: recipe)
/// let process = observations.process(base, rows: 0..<512)         // reconstruction guidance, if asked
/// let observation = observations.observation(rows: 0..<512, seed: 7)   // for ShardedSampling
/// ```
/// Sample i of a run is conditioned on row i mod R. Values where the mask is 0 are set to 0.
public struct Observations: Sendable {
    /// y, `[R, d]`, 0 where unknown.
    public var known: Tensor
    /// m, `[R, d]` or `[1, d]`: 1 where known.
    public var mask: Tensor
    /// The section they come from.
    public var settings: ConditioningSettings
    /// The file's values `[R, d]` in data space, unmapped (non-finite values, allowed where the
    /// mask is 0, as 0), for pictures of the original beside its completions.
    public var original: Tensor
    /// Whether row r of the file is finite everywhere, so that `original` shows it whole.
    public var isComplete: [Bool]

    /// R, the rows of known values.
    public var rowCount: Int { known.shape[0] }

    /// The observations with `known` mapped by `map` (the data's standardisation); the mask and
    /// `original` kept.
    public func mapped(_ map: (Tensor) -> Tensor) -> Observations {
        var copy = self
        copy.known = map(known) * mask
        return copy
    }

    /// The known values and mask of samples `rows` (row i mod R each).
    public func rows(_ rows: Range<Int>) -> (known: Tensor, mask: Tensor) {
        let indices = rows.map { $0 % rowCount }
        return (known.gathering(rows: indices), mask.shape[0] == 1 ? mask : mask.gathering(rows: indices))
    }

    /// What `ShardedSampling` replaces for samples `rows` of a run with sampling seed `seed`:
    /// the replacement draws come from stream i of the seed's child "conditioning" for sample i.
    public func observation(rows: Range<Int>, seed: UInt64) -> SampleObservation {
        let (known, mask) = self.rows(rows)
        let noise = PerSampleNoise(
            seed: SeedSequence(seed: seed).child("conditioning").seed, firstSample: rows.lowerBound)
        return SampleObservation(known: known, mask: mask, noise: noise)
    }

    /// `base` for samples `rows`: guided by reconstruction (`ReconstructionGuidance`) when the
    /// method is `reconstruction` or `moment-projection`, else `base` itself.
    public func process(_ base: any ReverseProcess, rows: Range<Int>) -> any ReverseProcess {
        let covariance: ReconstructionCovariance
        switch settings.method {
        case .replacement: return base
        case .reconstruction: covariance = .isotropic
        case .momentProjection: covariance = .tweedie
        }
        let (known, mask) = self.rows(rows)
        return Self.guided(base, known: known, mask: mask, weight: settings.weight, covariance: covariance)
    }

    private static func guided<P: ReverseProcess>(
        _ base: P, known: Tensor, mask: Tensor, weight: Double, covariance: ReconstructionCovariance
    ) -> any ReverseProcess {
        ReconstructionGuidance(base: base, known: known, mask: mask, weight: weight, covariance: covariance)
    }

    /// The files of `settings` read and checked for samples of `sampleShape` ([C, H, W] for
    /// images, which also allows a named mask), in data space. Errors are located at the
    /// section's keys in `recipe`.
    /// - Throws: `RecipeError.incompatible` naming the file, what is wrong and what to give.
    public static func load(
        _ settings: ConditioningSettings, sampleShape: [Int], isImage: Bool, in recipe: ResolvedRecipe
    ) throws(RecipeError) -> Observations {
        let section = recipe.written["conditioning"]
        func located(_ key: String) -> SourceLocation? {
            section?[key]?.location ?? section?.location
        }
        func failure(_ key: String, _ headline: String, _ notes: [String]) -> RecipeError {
            .incompatible(headline: "conditioning.\(key): " + headline, notes: notes, location: located(key))
        }
        let d = sampleShape.reduce(1, *)
        let shapeText = "[" + sampleShape.map(String.init).joined(separator: ", ") + "]"
        func rows(of tensor: Tensor, key: String, path: String) throws(RecipeError) -> Tensor {
            let s = tensor.shape
            if s == sampleShape { return tensor.reshaped([1, d]) }
            if s.count == sampleShape.count + 1, Array(s.dropFirst()) == sampleShape, s[0] >= 1 {
                return tensor.reshaped([s[0], d])
            }
            if s.count == 2, s[1] == d, s[0] >= 1 { return tensor }
            throw failure(
                key, "'\(path)' has shape \(s); this run's samples have shape \(shapeText)",
                [
                    "give R rows of samples, [R] + \(shapeText)"
                        + (sampleShape.count > 1 ? " or [R, \(d)]" : "") + ", or one sample, \(shapeText)"
                ])
        }
        func read(_ path: String, key: String) throws(RecipeError) -> Tensor {
            do throws(TensorFileError) { return try NumPyFile.read(path) } catch {
                var lines = error.description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                var first = lines.removeFirst()
                if first.hasPrefix("\(path): error: ") { first.removeFirst("\(path): error: ".count) }
                throw failure(
                    key, "'\(path)': " + first, lines.map { $0.hasPrefix("  ") ? String($0.dropFirst(2)) : $0 })
            }
        }

        let known = try rows(of: read(settings.known, key: "known"), key: "known", path: settings.known)
        let mask: Tensor
        if let region = ConditioningSettings.MaskRegion(rawValue: settings.mask) {
            guard isImage, sampleShape.count == 3 else {
                throw failure(
                    "mask",
                    "'\(settings.mask)' names a region of an image; this run's samples are vectors of shape \(shapeText)",
                    ["give a .npy file of 0/1 of shape \(shapeText) (1 = known)"])
            }
            mask = region.mask(shape: sampleShape)
        } else {
            mask = try rows(of: read(settings.mask, key: "mask"), key: "mask", path: settings.mask)
        }
        let r = known.shape[0]
        guard mask.shape[0] == 1 || mask.shape[0] == r else {
            throw failure(
                "mask", "'\(settings.mask)' has \(mask.shape[0]) rows and '\(settings.known)' has \(r)",
                ["give one mask row for every sample, or one per row of known values"])
        }
        let values = mask.scalars
        if let bad = values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw failure(
                "mask",
                "'\(settings.mask)' holds \(values[bad]) at row \(bad / d), column \(bad % d) (counting from 0)",
                ["a mask holds 1 where a value is known and 0 where it is sampled, nothing else"])
        }
        guard values.contains(1) else {
            throw failure(
                "mask", "'\(settings.mask)' marks no value as known (every entry is 0)",
                ["1 marks a known value; a mask of zeros samples without conditioning (remove the section)"])
        }
        let knownValues = known.scalars
        let rowMask = mask.shape[0] == 1 ? Array(repeating: values, count: r).flatMap { $0 } : values
        if let bad = knownValues.indices.first(where: { rowMask[$0] == 1 && !knownValues[$0].isFinite }) {
            throw failure(
                "known",
                "'\(settings.known)' holds \(knownValues[bad]) at row \(bad / d), column \(bad % d) "
                    + "(counting from 0), where the mask marks a known value",
                ["known values must be finite; NaN is allowed only where the mask is 0"])
        }
        let cleaned = Tensor(zip(knownValues, rowMask).map { $1 == 1 ? $0 : 0 }, shape: known.shape)
        let original = Tensor(knownValues.map { $0.isFinite ? $0 : 0 }, shape: known.shape)
        let complete = (0..<r).map { row in knownValues[(row * d)..<((row + 1) * d)].allSatisfy(\.isFinite) }
        return Observations(known: cleaned, mask: mask, settings: settings, original: original, isComplete: complete)
    }
}
