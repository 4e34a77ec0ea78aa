import Foundation
public import Logging
public import ScoreKitCore
public import ScoreKitSamplers

/// `scorekit sample`: draws samples from a trained run (or from a recipe and a checkpoint) with
/// the recipe's time grid and sampler, and writes them as `.npy`, with pictures for 2-D data
/// (`samples.svg`: samples over data; `samples-trajectories.svg`: a few samples' paths) and for
/// images (`samples.png`: a grid, one row per class when guided; `samples-trajectories.png`).
///
/// Samples are drawn by the sampling pipeline (`ShardedSampling`, the one `scorekit-bench` runs), in
/// shards of rows on whole panels; because all noise comes from per-sample streams, the result
/// does not depend on the shard size (`PerSampleNoise`). EMA weights are used when the checkpoint
/// has them.
public struct SamplingSession: Sendable {
    public struct Options: Sendable {
        /// A run folder (holding `resolved-recipe.yaml` and a checkpoint) or a recipe file.
        public var source: String
        /// The checkpoint; default: the run folder's `checkpoint-final.safetensors`, else `checkpoint.safetensors`.
        public var checkpoint: String?
        public var overrides: [ConfigurationOverride] = []
        /// How many samples to draw, at most `SizeCeiling.samples`.
        public var count = Self.defaultCount
        /// Prior noise to start from (`.npy`, `[count, d]`), instead of drawing it.
        public var initialNoise: String?
        /// Draws to replay instead of the seeded streams (`.npy`, `[draws, count, d]` or
        /// `[count, values]`; see `RecordedNoise`): the prior draw first unless `initialNoise`
        /// is given, then the sampler's.
        public var recordedNoise: String?
        /// The known values (`.npy`), as `conditioning.known` (`--known`); applied after `overrides`.
        public var known: String?
        /// The mask (`.npy` or a named region), as `conditioning.mask` (`--mask`); applied after `overrides`.
        public var mask: String?
        /// Where to write the samples; default: `samples.npy` in the run folder.
        public var output: String?
        /// The seed of the sampling noise; default: the recipe's seed.
        public var seed: UInt64?
        /// Use the raw weights instead of their moving average.
        public var useRawWeights = false
        /// About how many samples a shard has; shards run in parallel, `Compute.threadCount` at a
        /// time, each on its own thread (samples do not depend on the cut).
        public var rowsPerShard = Self.defaultRowsPerShard
        /// The ranks that share the shards (`mpirun`); rank 0 alone writes. Default: this
        /// process alone.
        public var collectives = Collectives.single
        /// Draw the pictures (2-D or image data).
        public var pictures = true
        /// Where the session's records go; appended to the run folder's `train.log` too.
        public var logger = Logger.runFilesOnly()

        public init(source: String) { self.source = source }

        /// `scorekit sample`'s count when none is given.
        public static let defaultCount = 10_000
        /// The shard size when none is given.
        public static let defaultRowsPerShard = 512
    }

    /// What a run produced.
    public struct Summary: Sendable {
        public var samples: Tensor
        public var samplesPath: String
        /// The pictures written (empty unless the data are 2-D or images).
        public var picturePaths: [String]
        /// The model evaluations a sample saw (the largest over the shards).
        public var evaluationCount: Int
        public var seconds: Double
        /// What was written beside the samples (`reportPath`): method, evaluations, acceptance.
        public var report: SamplingReport
        /// Where the report was written: `samples.npy` → `samples.sampling.json`.
        public var reportPath: String
    }

    public let options: Options
    public let registry: ComponentRegistry

    /// `--known` and `--mask` as overrides of the `conditioning` section, located in the flag.
    private var conditioningOverrides: [ConfigurationOverride] {
        [("known", options.known), ("mask", options.mask)].compactMap { key, value in
            value.map { text in
                let flag = SourceLocation(file: "--\(key) '\(text)'", line: 1, column: 1)
                return ConfigurationOverride(
                    path: "conditioning.\(key)", value: .string(text, at: flag), keyLocations: [flag, flag])
            }
        }
    }

    public init(options: Options, registry: ComponentRegistry) {
        self.options = options
        self.registry = registry
    }

    /// Draws the samples, reporting each finished shard to `observe` (on the shards' threads, one
    /// call at a time), and writes them with their pictures.
    public func run(observe: (ShardedSamplingEvent) -> Void = { _ in }) throws(SamplingSessionError) -> Summary {
        let start = Date()
        guard options.count >= 1, options.count <= SizeCeiling.samples else { throw .badCount(options.count) }
        let defaultOutput = RunSource.locate(options.source).folder.map { $0 + "/samples.npy" } ?? "samples.npy"
        let output = options.output ?? defaultOutput
        var inputs = OutputCheck.inputs(ofSource: options.source, checkpoint: options.checkpoint)
        if let path = options.initialNoise { inputs.append(("--init file", path)) }
        if let path = options.recordedNoise { inputs.append(("--noise file", path)) }
        let writes = options.collectives.isRoot
        var lock: RunFolderLock? = nil
        if writes {
            do throws(RunFolderError) { lock = try OutputCheck.prepare(output: output, inputs: inputs) } catch {
                throw .runFolder(error)
            }
        }
        defer { lock?.release() }
        if let path = options.known { inputs.append(("--known file", path)) }
        if let path = options.mask, ConditioningSettings.MaskRegion(rawValue: path) == nil {
            inputs.append(("--mask file", path))
        }
        let source = RunModel.Source(
            path: options.source, checkpoint: options.checkpoint, overrides: options.overrides + conditioningOverrides,
            useRawWeights: options.useRawWeights)
        let run: RunModel
        // The checkpoint describes the data (shape, standardisation): drawing samples never loads it.
        do throws(RunModelError) { run = try RunModel.load(source, registry: registry, data: .described) } catch {
            throw .model(error)
        }
        var method: SamplingMethod
        do throws(RecipeError) { method = try SamplingMethod(recipe: run.recipe) } catch { throw .recipe(error) }
        if let settings = run.recipe.conditioning {
            let observations: Observations
            do throws(RecipeError) {
                observations = try Observations.load(
                    settings, sampleShape: run.dataDescription.sampleShape, isImage: run.dataDescription.image != nil,
                    in: run.recipe)
            } catch { throw .recipe(error) }
            guard options.count % observations.rowCount == 0 else {
                throw .badConditioningCount(
                    count: options.count, rows: observations.rowCount, path: settings.known)
            }
            method.observations = observations.mapped(run.standardize)
        }
        let logger = run.folder.map { options.logger.appending(to: RunFolder(path: $0).log) } ?? options.logger
        let ids = run.recipe.componentIDs
        let sampler = ids[.sampler].map { "\($0)" } ?? "?"
        let grid = ids[.timeGrid].map { "\($0)" } ?? "?"
        let guidance =
            run.recipe.guidanceSettings.map { settings in
                run.guidanceClassifier.map { ", classifier guidance by \($0.path), scale \(settings.scale)" }
                    ?? ", guidance scale \(settings.scale)"
            } ?? ""
        let conditioned = run.recipe.conditioning.map { ", conditioned on \($0.known) by \($0.method.rawValue)" } ?? ""
        if let notice = run.dataNotice { logger.notice("\(notice)") }
        logger.info(
            "sampling \(options.count) from \(options.source) with sampler \(sampler), time grid \(grid)\(guidance)\(conditioned)"
        )
        let dimension = run.dimension
        let count = options.count
        do throws(RecipeError) {
            try MemoryEstimate.sampling(
                run.recipe, count: count, sampleShape: run.dataDescription.sampleShape,
                rowsPerShard: options.rowsPerShard
            ).check(in: run.recipe)
        } catch { throw .recipe(error) }
        var initial: Tensor? = nil
        if let path = options.initialNoise {
            do throws(TensorFileError) { initial = try NumPyFile.readFinite(path) } catch { throw .file(error) }
            guard initial?.shape == [count, dimension] else {
                throw .badInitialNoise(path: path, shape: initial?.shape ?? [], expected: [count, dimension])
            }
        }
        var recorded: RecordedNoise? = nil
        if let path = options.recordedNoise {
            let recording: Tensor
            do throws(TensorFileError) { recording = try NumPyFile.readFinite(path) } catch { throw .file(error) }
            do throws(NoiseRecordingError) { recorded = try RecordedNoise(recording: recording) } catch {
                throw .badRecordedNoise(path: path, reason: error.description)
            }
            if let recorded, recorded.sampleCount != count {
                throw .badRecordedNoise(
                    path: path,
                    reason: NoiseRecordingError.sampleCount(recorded: recorded.sampleCount, needed: count).description
                        + " (--count)")
            }
        }
        let seed = options.seed ?? run.recipe.seed
        var sampling = method.sharded(sde: run.sde, rowsPerShard: options.rowsPerShard)
        sampling.collectives = options.collectives
        let outcome: ShardedSamplingOutcome
        do throws(SamplingError) {
            outcome = try sampling.run(
                count: count, sampleShape: [dimension], seed: seed, initial: initial, recorded: recorded,
                process: { method.process(run.samplingProcess(first: $0.lowerBound, count: $0.count), rows: $0) },
                observation: method.observations.map { known in { known.observation(rows: $0, seed: seed) } },
                observe: observe)
        } catch { throw .sampling(error) }
        let evaluations = outcome.evaluationCount
        let samples = run.destandardize(outcome.samples)
        guard writes else {
            // Another rank: every sample is here too, rank 0 writes them.
            let seconds = Date().timeIntervalSince(start)
            let report = SamplingReport(
                sampler: sampler, timeGrid: grid, count: count, seed: seed, evaluationCount: evaluations,
                seconds: seconds, acceptance: outcome.acceptance)
            return Summary(
                samples: samples, samplesPath: output, picturePaths: [], evaluationCount: evaluations,
                seconds: seconds, report: report, reportPath: Self.reportPath(besides: output))
        }

        do throws(TensorFileError) { try NumPyFile.write(samples, to: output) } catch { throw .file(error) }
        var pictures: [String] = []
        let drawsPictures = options.pictures && (dimension == 2 || run.dataDescription.image != nil)
        // Pictures show the samples over the data, so only they prepare it.
        let pictureRun: RunModel
        do throws(RunModelError) { pictureRun = drawsPictures ? try run.withData() : run } catch {
            throw .model(error)
        }
        if dimension == 2, options.pictures {
            let run = pictureRun
            let stem = output.hasSuffix(".npy") ? String(output.dropLast(4)) : output
            let name = run.recipe.componentIDs[.sampler].map { "\($0)" } ?? "samples"
            let svg = SamplePicture.scatter(
                samples: samples, data: run.referenceData, title: "\(name): \(count) samples")
            let paths = [stem + ".svg", stem + "-trajectories.svg"]
            let trajectories: String
            do throws(SamplingError) {
                trajectories = try RunPictures.trajectories(
                    run, method: method, seed: seed, initial: initial, recorded: recorded)
            } catch { throw .sampling(error) }
            for (path, text) in zip(paths, [svg, trajectories]) {
                do throws(TensorFileError) { try FileIO.writeAtomically(Array(text.utf8), to: path) } catch {
                    throw .file(error)
                }
            }
            pictures = paths
        } else if options.pictures, let format = run.dataDescription.image {
            let run = pictureRun
            let stem = output.hasSuffix(".npy") ? String(output.dropLast(4)) : output
            let labels = run.recipe.guidanceSettings?.labels(first: 0, count: count, classCount: run.guidanceClassCount)
            let strip: PNGImage
            do throws(SamplingError) {
                strip = try ImagePictures.trajectoryStrip(
                    run, method: method, seed: seed, initial: initial, recorded: recorded)
            } catch { throw .sampling(error) }
            var images = [ImagePictures.grid(samples, format: format, labels: labels), strip]
            var paths = [stem + ".png", stem + "-trajectories.png"]
            if let observations = method.observations {
                images.append(
                    ImagePictures.conditioningStrip(samples, observations: observations, format: format))
                paths.append(stem + "-conditioning.png")
            }
            for (path, image) in zip(paths, images) {
                do throws(TensorFileError) { try FileIO.writeAtomically(image.encoded(), to: path) } catch {
                    throw .file(error)
                }
            }
            pictures = paths
        }
        let seconds = Date().timeIntervalSince(start)
        let report = SamplingReport(
            sampler: sampler, timeGrid: grid, count: count, seed: seed, evaluationCount: evaluations, seconds: seconds,
            acceptance: outcome.acceptance)
        let reportPath = Self.reportPath(besides: output)
        do throws(TensorFileError) { try FileIO.writeAtomically(Array(report.json.utf8), to: reportPath) } catch {
            throw .file(error)
        }
        let acceptance = report.acceptanceSummary.map { "; \($0)" } ?? ""
        logger.info(
            "sampled \(count) in \(String(format: "%.1f", seconds)) s, \(evaluations) model evaluations per sample\(acceptance); wrote \(output)"
        )
        for picture in pictures { logger.debug("picture written: \(picture)") }
        return Summary(
            samples: samples, samplesPath: output, picturePaths: pictures, evaluationCount: evaluations,
            seconds: seconds, report: report, reportPath: reportPath)
    }

    /// `s.npy` → `s.sampling.json`.
    static func reportPath(besides samplesPath: String) -> String {
        (samplesPath.hasSuffix(".npy") ? String(samplesPath.dropLast(4)) : samplesPath) + ".sampling.json"
    }
}

/// Why `scorekit sample` stopped.
public enum SamplingSessionError: Error, Sendable, CustomStringConvertible {
    case recipe(RecipeError)
    case model(RunModelError)
    case file(TensorFileError)
    case sampling(SamplingError)
    case badInitialNoise(path: String, shape: [Int], expected: [Int])
    /// The `--noise` recording cannot be replayed.
    case badRecordedNoise(path: String, reason: String)
    /// A `count` outside 1…`SizeCeiling.samples`.
    case badCount(Int)
    /// The output would replace an input, cannot be written, or its run folder is in use.
    case runFolder(RunFolderError)
    /// A `count` that is not a multiple of the rows of known values.
    case badConditioningCount(count: Int, rows: Int, path: String)

    public var description: String {
        switch self {
        case let .recipe(error): return error.description
        case let .model(error): return error.description
        case let .file(error): return error.description
        case let .sampling(error): return error.description
        case let .runFolder(error): return error.description
        case let .badInitialNoise(path, shape, expected):
            return "\(path): error: the initial noise has shape \(shape); --count and the data need \(expected)"
        case let .badRecordedNoise(path, reason):
            return "\(path): error: \(reason)"
        case let .badConditioningCount(count, rows, path):
            return "error: --count \(count) is not a multiple of the \(rows) rows of known values in '\(path)'\n"
                + "  sample i is conditioned on row i mod \(rows); give a --count of \(rows), \(2 * rows), \(3 * rows), …"
        case let .badCount(count):
            return "error: --count \(count) is out of range; expected an integer from 1 to "
                + "268,435,456 (the ceiling for sample counts); draw more in several runs with --seed"
        }
    }
}
