import Foundation
public import ScoreKitCore
import ScoreKitNetworks

/// A training state on disk: one `.safetensors` file that resumes a run bit for bit.
///
/// | tensor | holds |
/// |---|---|
/// | `model.<name>` | the weights θ (`l1.weight`, …) |
/// | `ema.<name>` | the weight average θ̄ |
/// | `optimizer.<name>` | the optimizer's state, as `OptimizerState.tensors` names it (`adam.m.l1.weight`) |
/// | `data.mean`, `data.standardDeviation` | the data standardisation, when the recipe asks for it |
///
/// Metadata (strings): `format` (`scorekit-checkpoint`), `formatVersion` (1), `step`, `seed`,
/// `optimizerStepCount`, `emaUpdateCount`, `classCount`, `randomState`, `recentLosses` (the
/// divergence guard's window, comma-separated, oldest first), `recipe` (the
/// resolved recipe's YAML) and the data's description: `dataSampleShape` (`2`, `1,8,8`) and,
/// for images, `dataImageLevelCount` and `dataImageScaling` (`DataDescription`; with the
/// standardisation's tensors, what sampling needs instead of the data). Checkpoints written
/// before the description have none of its keys and still load. The random state is the seed and the step alone: every stream of
/// step n derives from (seed, n) (`TrainingPlan.batchSeed(step:)`, `noiseSeed(step:)`), so
/// nothing else is saved. Written through `SafeTensorsFile.write` (a temporary file, fsync,
/// rename): a kill leaves the previous checkpoint or the new one, never a broken one.
public struct Checkpoint: Sendable {
    /// Steps done.
    public var step: Int
    /// The recipe's root seed.
    public var seed: UInt64
    /// θ by parameter name.
    public var parameters: [String: Tensor]
    /// θ̄ by parameter name.
    public var average: [String: Tensor]
    /// The number of averages taken (the EMA warm-up's n).
    public var averageUpdateCount: Int
    /// The optimizer's tensors by their `OptimizerState` names.
    public var optimizer: [String: Tensor]
    /// The optimizer's step count (Adam's bias correction).
    public var optimizerStepCount: Int
    /// The losses of the last applied steps, oldest first (`TrainingState.recentLosses`); empty
    /// in checkpoints written before the divergence guard.
    public var recentLosses: [Double]
    /// The data standardisation the run trains with.
    public var standardization: Standardization?
    /// The shape of one sample the network was built for, or `nil` in older checkpoints.
    public var sampleShape: [Int]?
    /// The image format of the samples, or `nil` (vectors, or an older checkpoint).
    public var image: ImageFormat?
    /// The class count the network was built for.
    public var classCount: Int
    /// The resolved recipe, as YAML.
    public var recipe: String

    /// The format name in the metadata.
    public static let format = "scorekit-checkpoint"
    /// The format version written.
    public static let formatVersion = 1

    /// A checkpoint of `state` in the run `plan` describes, with `recipe`'s YAML.
    public init(state: TrainingState, plan: TrainingPlan, recipe: String) {
        step = state.step
        seed = plan.seed
        let model = state.model.parameters
        parameters = Dictionary(uniqueKeysWithValues: zip(model.names, model.tensors))
        average = Dictionary(uniqueKeysWithValues: zip(state.average.average.names, state.average.average.tensors))
        averageUpdateCount = state.average.updateCount
        optimizer = Dictionary(uniqueKeysWithValues: state.optimizerState.tensors.map { ($0.name, $0.tensor) })
        optimizerStepCount = state.optimizerState.stepCount
        recentLosses = state.recentLosses.values
        standardization = plan.data.standardization
        sampleShape = plan.data.sampleShape
        image = plan.data.training.image
        classCount = plan.data.classCount
        self.recipe = recipe
    }

    /// What the network was trained on (shape, image format, standardisation), or `nil` for a
    /// checkpoint written before it was recorded.
    public var dataDescription: DataDescription? {
        sampleShape.map { DataDescription(sampleShape: $0, image: image, standardization: standardization) }
    }

    /// The safetensors file of this checkpoint.
    public var file: SafeTensorsFile {
        var tensors: [String: Tensor] = [:]
        for (name, tensor) in parameters { tensors["model." + name] = tensor }
        for (name, tensor) in average { tensors["ema." + name] = tensor }
        for (name, tensor) in optimizer { tensors["optimizer." + name] = tensor }
        for (name, tensor) in standardization?.tensors ?? [] { tensors[name] = tensor }
        var metadata = [
            "format": Self.format, "formatVersion": "\(Self.formatVersion)", "step": "\(step)", "seed": "\(seed)",
            "optimizerStepCount": "\(optimizerStepCount)", "emaUpdateCount": "\(averageUpdateCount)",
            "classCount": "\(classCount)", "recipe": recipe,
            "randomState": "derived from (seed, step): batch = SeedSequence(seed).child(\"batch\").child(step), "
                + "noise = SeedSequence(seed).child(\"noise\").child(step)",
        ]
        if !recentLosses.isEmpty { metadata["recentLosses"] = recentLosses.map { "\($0)" }.joined(separator: ",") }
        if let sampleShape { metadata["dataSampleShape"] = sampleShape.map(String.init).joined(separator: ",") }
        if let image {
            metadata["dataImageLevelCount"] = "\(image.levelCount)"
            metadata["dataImageScaling"] = image.scaling.rawValue
        }
        return SafeTensorsFile(tensors: tensors, metadata: metadata)
    }

    /// Writes the checkpoint to `path` atomically (temporary file, fsync, rename).
    public func write(to path: String) throws(CheckpointError) {
        do {
            try file.write(to: path)
        } catch {
            throw .file(error)
        }
    }

    /// The checkpoint in the file at `path`.
    /// - Throws: `CheckpointError.file` for a missing, truncated or corrupted file,
    ///   `notACheckpoint` for a safetensors file without ScoreKit's metadata.
    public static func read(_ path: String) throws(CheckpointError) -> Checkpoint {
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile.read(path)
        } catch {
            throw .file(error)
        }
        return try Checkpoint(file: file, path: path)
    }

    /// The most classes a checkpoint may declare (ImageNet-21k has 21,841): a label embedding
    /// of more rows is refused before the network is built, not allocated.
    public static let maximumClassCount = 100_000

    /// The most values one sample may have in a checkpoint's `dataSampleShape` (2²⁸ Float32
    /// values, 1 GiB a sample), checked without overflow before anything is allocated.
    public static let maximumSampleValueCount = 1 << 28

    /// Decodes a checkpoint from a safetensors file read from `path`.
    init(file: SafeTensorsFile, path: String) throws(CheckpointError) {
        let meta = file.metadata
        guard meta["format"] == Self.format else {
            throw .notACheckpoint(path: path, reason: "its metadata has no format '\(Self.format)'")
        }
        guard meta["formatVersion"] == "\(Self.formatVersion)" else {
            throw .notACheckpoint(
                path: path,
                reason: "format version \(meta["formatVersion"] ?? "none") (this build reads \(Self.formatVersion))")
        }
        func integer(_ key: String) throws(CheckpointError) -> Int {
            guard let text = meta[key], let value = Int(text), value >= 0 else {
                throw .notACheckpoint(path: path, reason: "the metadata field '\(key)' is missing or not a count")
            }
            return value
        }
        step = try integer("step")
        optimizerStepCount = try integer("optimizerStepCount")
        averageUpdateCount = try integer("emaUpdateCount")
        classCount = try integer("classCount")
        guard classCount <= Self.maximumClassCount else {
            throw .notACheckpoint(
                path: path,
                reason:
                    "the metadata field 'classCount' is \(classCount), above the ceiling of \(Self.maximumClassCount) classes"
            )
        }
        guard let seedText = meta["seed"], let seed = UInt64(seedText) else {
            throw .notACheckpoint(path: path, reason: "the metadata field 'seed' is missing or not a seed")
        }
        self.seed = seed
        guard let recipe = meta["recipe"] else {
            throw .notACheckpoint(path: path, reason: "the metadata field 'recipe' is missing")
        }
        self.recipe = recipe
        if let text = meta["recentLosses"] {
            let values = text.split(separator: ",").map { Double($0) }
            guard values.count <= DivergenceGuard.windowCount, values.allSatisfy({ $0?.isFinite ?? false }) else {
                throw .notACheckpoint(
                    path: path,
                    reason: "the metadata field 'recentLosses' is not a list of at most "
                        + "\(DivergenceGuard.windowCount) finite numbers")
            }
            recentLosses = values.map { $0! }
        } else {
            recentLosses = []
        }
        if let text = meta["dataSampleShape"] {
            let sizes = text.split(separator: ",").map { Int($0) }
            guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) >= 1 }) else {
                throw .notACheckpoint(
                    path: path, reason: "the metadata field 'dataSampleShape' is not a shape: '\(text)'")
            }
            let shape = sizes.map { $0! }
            var values = 1
            for size in shape {
                let (product, overflow) = values.multipliedReportingOverflow(by: size)
                guard !overflow, product <= Self.maximumSampleValueCount else {
                    throw .notACheckpoint(
                        path: path,
                        reason:
                            "the metadata field 'dataSampleShape' (\(text)) has more than \(Self.maximumSampleValueCount) values a sample"
                    )
                }
                values = product
            }
            sampleShape = shape
        } else {
            sampleShape = nil
        }
        if let levels = meta["dataImageLevelCount"] {
            guard let shape = sampleShape, shape.count == 3, let levelCount = Int(levels), levelCount >= 2,
                let scaling = meta["dataImageScaling"].flatMap(PixelScaling.init(rawValue:))
            else {
                throw .notACheckpoint(
                    path: path,
                    reason: "the image format in the metadata (dataImageLevelCount, dataImageScaling) is malformed")
            }
            image = ImageFormat(shape: shape, levelCount: levelCount, scaling: scaling)
        } else {
            image = nil
        }
        func group(_ prefix: String) -> [String: Tensor] {
            Dictionary(
                uniqueKeysWithValues: file.tensors.filter { $0.key.hasPrefix(prefix) }
                    .map { (String($0.key.dropFirst(prefix.count)), $0.value) })
        }
        parameters = group("model.")
        average = group("ema.")
        optimizer = group("optimizer.")
        if let mean = file.tensors["data.mean"], let deviation = file.tensors["data.standardDeviation"],
            mean.shape == deviation.shape, mean.rank == 1
        {
            standardization = Standardization(mean: mean.scalars, standardDeviation: deviation.scalars)
        } else {
            standardization = nil
        }
        let known = Set(["data.mean", "data.standardDeviation"])
        let stray = file.tensors.keys.filter {
            !known.contains($0) && !$0.hasPrefix("model.") && !$0.hasPrefix("ema.") && !$0.hasPrefix("optimizer.")
        }
        guard stray.isEmpty else { throw .unexpectedTensors(path: path, names: stray.sorted()) }
    }
}
