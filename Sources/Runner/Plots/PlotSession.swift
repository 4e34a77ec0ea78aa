import Foundation
public import Logging
public import ScoreKitCore

/// `scorekit plot RUN`: every picture a run folder's files allow, written into the folder.
///
/// The source may also be a recipe file whose model needs no training (`network: { kind:
/// exact-mixture }`): the pictures then go to `Options.output`, by default `runs/<recipe-name>`
/// as for `train` (created if needed); `samples.svg` reads `samples.npy` there.
///
/// | file | needs |
/// |---|---|
/// | `loss.svg`, `loss-by-time.svg` | `metrics.jsonl` |
/// | `score-field.svg` | a checkpoint, 2-D data |
/// | `samples.svg` | `samples.npy`, 2-D data |
/// | `samples-trajectories.svg` | a checkpoint, the recipe's sampler and time grid, 2-D data |
/// | `data.png` | image data |
/// | `samples.png` | `samples.npy`, image data |
/// | `samples-trajectories.png` | a checkpoint, the recipe's sampler and time grid, image data |
public struct PlotSession: Sendable {
    /// Which pictures to draw.
    public enum Picture: String, CaseIterable, Sendable {
        case loss
        case scoreField = "score-field"
        case samples
        case trajectories
        /// A grid of the reference data (image data only).
        case data
    }

    /// What to plot.
    public struct Options: Sendable {
        /// The run folder, or a recipe file of a model that needs no training.
        public var folder: String
        /// Where the pictures go: default the run folder, or `runs/<recipe-name>` for a recipe file.
        public var output: String?
        /// The pictures; all by default (those the folder's files allow).
        public var pictures: Set<Picture> = Set(Picture.allCases)
        /// σ/α of the score field; default 0.1 × the data's RMS standard deviation.
        public var noiseLevel: Double?
        /// `--set` overrides of the run's recipe (such as `sampler.kind=euler`).
        public var overrides: [ConfigurationOverride] = []
        /// The seed of the trajectories' noise; default: the recipe's seed.
        public var seed: UInt64?
        /// Where the session's records go; appended to the run folder's `train.log` too.
        public var logger = Logger.runFilesOnly()
        /// Whether the caller already holds the output folder's `RunFolderLock` (training draws
        /// its pictures inside its own lock); otherwise the session takes it.
        package var folderLocked = false

        /// Options for the run folder (or recipe file) at `folder`.
        public init(folder: String) { self.folder = folder }
    }

    /// The options.
    public let options: Options
    /// The registry that resolves the run's recipe.
    public let registry: ComponentRegistry

    /// A session with `options` over `registry`.
    public init(options: Options, registry: ComponentRegistry) {
        self.options = options
        self.registry = registry
    }

    /// Writes the pictures; returns their paths, and why any asked-for picture was skipped.
    public func run() throws(PlotError) -> (written: [String], skipped: [String]) {
        let runFolder = RunSource.locate(options.folder).folder.map { RunFolder(path: $0) }
        let folder = RunFolder(
            path: options.output ?? runFolder?.path ?? RunFolder.defaultPath(forRecipe: options.folder))
        let logger = runFolder.map { options.logger.appending(to: $0.log) } ?? options.logger
        // The output folder is created (as documented) and locked before any picture is drawn.
        do {
            try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        } catch {
            throw .file(.unwritable(path: folder.path, reason: error.localizedDescription))
        }
        let lock: RunFolderLock?
        do throws(RunFolderError) {
            lock = options.folderLocked ? nil : try RunFolderLock(folder: folder.path)
        } catch { throw .runFolder(error) }
        defer { lock?.release() }
        folder.removeStaleTemporaries()
        var written: [String] = []
        var skipped: [String] = []
        func write(_ svg: String, _ name: String) throws(PlotError) {
            try write(bytes: Array(svg.utf8), name)
        }
        func write(bytes: [UInt8], _ name: String) throws(PlotError) {
            let path = folder.file(name)
            do throws(TensorFileError) { try FileIO.writeAtomically(bytes, to: path) } catch {
                throw .file(error)
            }
            logger.debug("picture written: \(path)")
            written.append(path)
        }
        if options.pictures.contains(.loss) {
            if runFolder == nil {
                skipped.append("loss: \(options.folder) is a recipe file, not a run folder with metrics.jsonl")
            } else if FileManager.default.fileExists(atPath: folder.metrics) {
                let metrics: [TrainingMetrics]
                do throws(TrainingError) { metrics = try TrainingMetrics.read(contentsOf: folder.metrics) } catch {
                    throw .training(error)
                }
                if metrics.isEmpty {
                    skipped.append("loss: \(folder.metrics) has no metrics lines yet")
                } else {
                    try write(RunPictures.lossCurve(metrics), "loss.svg")
                    try write(RunPictures.lossByTime(metrics), "loss-by-time.svg")
                }
            } else {
                skipped.append("loss: no \(folder.metrics)")
            }
        }
        let needsModel = !options.pictures.isDisjoint(with: [.scoreField, .samples, .trajectories, .data])
        guard needsModel else { return (written, skipped) }
        var source = RunModel.Source(path: runFolder?.path ?? options.folder)
        source.overrides = options.overrides
        let model: RunModel
        do throws(RunModelError) { model = try RunModel.load(source, registry: registry) } catch {
            throw .model(error)
        }
        if model.recipe.network is any ClassifierArchitecture, model.data.training.image == nil {
            skipped.append("score field, samples, trajectories: the network is a classifier, with no score")
            return (written, skipped)
        }
        if let format = model.data.training.image {
            try drawImages(model, format: format, folder: folder, skipped: &skipped) {
                (bytes, name) throws(PlotError) in
                try write(bytes: bytes, name)
            }
            return (written, skipped)
        }
        guard model.dimension == 2 else {
            skipped.append("score field, samples, trajectories: the data has \(model.dimension) dimensions, not 2")
            return (written, skipped)
        }
        if options.pictures.contains(.scoreField) {
            try write(RunPictures.scoreField(model, noiseLevel: options.noiseLevel), "score-field.svg")
        }
        if options.pictures.contains(.samples) {
            let path = folder.file("samples.npy")
            if FileManager.default.fileExists(atPath: path) {
                let samples: Tensor
                do throws(TensorFileError) { samples = try NumPyFile.read(path) } catch { throw .file(error) }
                guard samples.rank == 2, samples.shape[1] == 2 else {
                    throw .badSamples(path: path, shape: samples.shape, expected: "[N, 2]")
                }
                try write(
                    SamplePicture.scatter(
                        samples: samples, data: model.referenceData, title: "\(samples.shape[0]) samples"),
                    "samples.svg")
            } else {
                skipped.append("samples: no \(path) (run `scorekit sample \(folder.path)` first)")
            }
        }
        if options.pictures.contains(.trajectories) {
            let method: SamplingMethod
            do throws(RecipeError) { method = try SamplingMethod(recipe: model.recipe) } catch {
                throw .model(.recipe(error))
            }
            let svg: String
            do throws(SamplingError) {
                svg = try RunPictures.trajectories(model, method: method, seed: options.seed ?? model.recipe.seed)
            } catch { throw .sampling(error) }
            try write(svg, "samples-trajectories.svg")
        }
        return (written, skipped)
    }

    /// The PNG pictures of an image run: the data, the samples and a trajectory strip.
    private func drawImages(
        _ model: RunModel, format: ImageFormat, folder: RunFolder, skipped: inout [String],
        write: ([UInt8], String) throws(PlotError) -> Void
    ) throws(PlotError) {
        if options.pictures.contains(.scoreField) {
            skipped.append("score field: drawn for 2-D data only")
        }
        if options.pictures.contains(.data) {
            let reference = model.data.heldOut ?? model.data.training
            let image = ImagePictures.grid(
                model.destandardize(reference.samples), format: format, labels: reference.labels)
            try write(image.encoded(), "data.png")
        }
        if options.pictures.contains(.samples) {
            let path = folder.file("samples.npy")
            if FileManager.default.fileExists(atPath: path) {
                let samples: Tensor
                do throws(TensorFileError) { samples = try NumPyFile.read(path) } catch { throw .file(error) }
                guard samples.rank == 2, samples.shape[1] == format.dimension else {
                    throw .badSamples(path: path, shape: samples.shape, expected: "[N, \(format.dimension)]")
                }
                let labels = model.recipe.guidanceSettings?.labels(
                    first: 0, count: samples.shape[0], classCount: model.guidanceClassCount)
                try write(ImagePictures.grid(samples, format: format, labels: labels).encoded(), "samples.png")
            } else {
                skipped.append("samples: no \(path) (run `scorekit sample \(folder.path)` first)")
            }
        }
        if options.pictures.contains(.trajectories) {
            let method: SamplingMethod
            do throws(RecipeError) { method = try SamplingMethod(recipe: model.recipe) } catch {
                throw .model(.recipe(error))
            }
            let strip: PNGImage
            do throws(SamplingError) {
                strip = try ImagePictures.trajectoryStrip(
                    model, method: method, seed: options.seed ?? model.recipe.seed)
            } catch { throw .sampling(error) }
            try write(strip.encoded(), "samples-trajectories.png")
        }
    }
}

/// Why `scorekit plot` stopped.
public enum PlotError: Error, Sendable, CustomStringConvertible {
    case training(TrainingError)
    case model(RunModelError)
    case sampling(SamplingError)
    case file(TensorFileError)
    /// A samples file of another shape than the picture needs (`[N, 2]`, or `[N, C·H·W]` for images).
    case badSamples(path: String, shape: [Int], expected: String)
    /// The output folder is in use by another writer, or cannot be locked.
    case runFolder(RunFolderError)

    public var description: String {
        switch self {
        case .training(let error): return error.description
        case .model(let error): return error.description
        case .sampling(let error): return error.description
        case .file(let error): return error.description
        case .runFolder(let error): return error.description
        case .badSamples(let path, let shape, let expected):
            return "\(path): error: samples of shape \(shape) cannot be drawn; a picture needs \(expected)\n"
                + "  write them again with `scorekit sample`"
        }
    }
}
