import Foundation
public import Logging
public import ScoreKitCore

/// `scorekit train`: a recipe trained into a run folder, with logs, metrics and checkpoints,
/// started fresh or resumed.
///
/// ```swift
/// let options = TrainingSession.Options(recipePath: "recipes/ncsn-ring.yaml")
/// let summary = try TrainingSession(options: options, registry: registry).run { event in … }
/// ```
/// The command-line tool is a thin shell over this type, so tests run the same code path.
public struct TrainingSession: Sendable {
    /// What to train and where.
    public struct Options: Sendable {
        /// The recipe file, or a run folder: its `resolved-recipe.yaml`, and the folder itself as
        /// the default output (to `resume` it).
        public var recipePath: String
        /// `--set` overrides, applied in order.
        public var overrides: [ConfigurationOverride] = []
        /// The run folder; `nil`: `runs/<recipe-name>`.
        public var outputFolder: String?
        /// Continue from the folder's `checkpoint.safetensors`.
        public var resume = false
        /// `--steps`: the run's length, as `--set training.steps=N`; when resuming, the new
        /// length counted from the run's first step (not more steps), at least the checkpoint's.
        public var steps: Int?
        /// Stop (with a checkpoint) once this many steps are done, before the run's end: an
        /// interruption on purpose, for tests and for training in parts.
        public var stopAtStep: Int?
        /// Draw the pictures at the end (`PlotSession`: loss curves; the score field for 2-D data,
        /// a grid of the data for images).
        public var pictures = true
        /// Extra evaluations, run at every `training.evaluateEvery` step on the averaged model.
        public var evaluationHooks: [EvaluationHook] = []
        /// Where the session's records go (start, resume, checkpoints, end); each is also
        /// appended to the run folder's `train.log` through `RunLogHandler.logFileKey`.
        public var logger = Logger.runFilesOnly()
        /// The ranks that train together (`mpirun`): each step's shards are cut across them and
        /// rank 0 alone writes the run folder. Default: this process alone.
        public var collectives = Collectives.single

        /// Options for the recipe at `recipePath`.
        public init(recipePath: String) {
            self.recipePath = recipePath
        }
    }

    /// An evaluation run beside the held-out loss; its values go into `metrics.jsonl`
    /// under `evaluation` (sample quality, likelihood, …).
    public typealias EvaluationHook =
        @Sendable (_ step: Int, _ averagedModel: any ScoreModel, _ plan: TrainingPlan) -> [String: Double]

    /// The options.
    public let options: Options
    /// The registry that makes the recipe's components.
    public let registry: ComponentRegistry

    /// A session with `options` over `registry`.
    public init(options: Options, registry: ComponentRegistry) {
        self.options = options
        self.registry = registry
    }

    /// The run folder the options name: `outputFolder`, else the run folder given as the
    /// recipe, else `runs/<recipe-name>`.
    public var folder: RunFolder {
        let runFolder = RunSource.locate(options.recipePath).folder
        return RunFolder(
            path: options.outputFolder ?? runFolder ?? RunFolder.defaultPath(forRecipe: options.recipePath))
    }

    /// Resolves the recipe, prepares the data and the state (fresh or from the checkpoint),
    /// trains to the end (or `stopAtStep`) and writes the run folder; events go to `observer`.
    /// A resume never rewrites the run's `resolved-recipe.yaml` (its inputs as it started): the
    /// changed training settings go into `train.log` and the checkpoints written from then on.
    /// - Throws: `TrainingError`; when the run diverges, nothing more is saved.
    @discardableResult
    public func run(observer: (TrainingEvent) -> Void = { _ in }) throws(TrainingError) -> TrainingSummary {
        let started = ContinuousClock.now
        var overrides = options.overrides
        if let steps = options.steps {
            overrides.append(ConfigurationOverride(path: "training.steps", value: .integer(steps)))
        }
        let recipe: ResolvedRecipe
        do {
            let recipePath = RunSource.locate(options.recipePath).recipe
            recipe = try Recipe.load(contentsOf: recipePath, overrides: overrides).resolve(with: registry)
        } catch {
            throw .recipe(error)
        }
        options.logger.debug("recipe \(options.recipePath) resolved", metadata: ["seed": "\(recipe.seed)"])
        let plan = try TrainingPlan(recipe: recipe).attachingTeacher(recipe: recipe, registry: registry)
        let folder = self.folder
        if options.resume, !FileManager.default.fileExists(atPath: folder.path) {
            throw .nothingToResume(path: folder.path)
        }
        // Rank 0 alone writes the run folder; the other ranks read it (a resumed checkpoint).
        let writes = options.collectives.isRoot
        if writes { try folder.create() }
        // One writer per run folder, for the whole command; checked before the folder's files.
        var lock: RunFolderLock? = nil
        if writes {
            do throws(RunFolderError) { lock = try RunFolderLock(folder: folder.path) } catch {
                throw .runFolder(error)
            }
        }
        defer { lock?.release() }
        if options.resume, !folder.hasCheckpoint { throw .nothingToResume(path: folder.path) }
        if !options.resume, folder.hasCheckpoint { throw .folderInUse(path: folder.path) }
        if writes { folder.removeStaleTemporaries() }
        let logger = writes ? options.logger.appending(to: folder.log) : options.logger
        let trainer = Trainer(plan: plan, collectives: options.collectives)
        var state = trainer.initialState()
        if options.resume {
            let changes = try resume(&state, from: folder, recipe: recipe, plan: plan, writes: writes)
            let changed = changes.isEmpty ? "" : "; training settings changed: " + changes.joined(separator: ", ")
            logger.info("resumed from \(folder.checkpoint) at step \(state.step)\(changed)")
        } else if writes {
            try folder.write("", to: folder.metrics)
            try folder.write("", to: folder.log)
        }
        if writes, !options.resume || !FileManager.default.fileExists(atPath: folder.resolvedRecipe) {
            do {
                try recipe.write(to: folder.resolvedRecipe)
            } catch {
                throw .recipe(error)
            }
        }
        let total = plan.configuration.steps
        let stop = Swift.min(options.stopAtStep ?? total, total)
        let firstStep = state.step
        let verb = options.resume ? "continuing" : "started"
        let heldOut = plan.data.heldOut.map { ", \($0.count) held out" } ?? ""
        let ranks = options.collectives.isDistributed ? ", \(options.collectives.size) ranks" : ""
        logger.info(
            "\(verb) \(options.recipePath) in \(folder.path): step \(state.step) of \(total), \(state.model.parameters.scalarCount) parameters, \(plan.data.training.count) training samples\(heldOut)\(ranks)"
        )
        observer(
            .started(
                TrainingStart(
                    step: state.step, stepCount: total, resumed: options.resume,
                    parameterCount: state.model.parameters.scalarCount, sampleCount: plan.data.training.count,
                    folder: folder.path)))
        let hooks = options.evaluationHooks + [ClassifierAccuracy.hook(plan: plan)].compactMap { $0 }
        var loop = TrainingLoop(
            trainer: trainer, folder: folder, recipeYAML: recipe.yaml, hooks: hooks,
            diagnostics: trainer.makeDiagnostics(), logger: logger, started: started,
            checkpointStep: options.resume ? state.step : nil, writes: writes)
        try loop.run(&state, until: stop, observer: observer)
        if writes, state.step == total {
            try loop.saveCheckpoint(state, to: folder.finalCheckpoint, observer: observer)
        }
        let seconds = (ContinuousClock.now - started).seconds
        let loss = loop.lastLoss.map { String(format: ", loss %.4g", $0) } ?? ""
        if options.collectives.isDistributed, state.step > firstStep {
            let (exchangeSeconds, exchanges) = options.collectives.exchangeTime
            logger.info(
                "collectives: \(exchanges) exchanges in \(String(format: "%.2f", exchangeSeconds)) s on rank 0, \(String(format: "%.2f", 1000 * exchangeSeconds / Double(state.step - firstStep))) ms a step"
            )
        }
        if state.step == total {
            logger.info(
                "finished: \(total) steps (\(state.step - firstStep) in \(String(format: "%.1f", seconds)) s\(loss))")
        } else {
            logger.info("stopped at step \(state.step) of \(total)\(loss); continue with --resume")
        }
        var summary = TrainingSummary(
            step: state.step, stepCount: total, loss: loop.lastLoss, seconds: seconds,
            stepsThisRun: state.step - firstStep, checkpointPath: folder.checkpoint)
        if options.pictures, writes {
            var plot = PlotSession.Options(folder: folder.path)
            plot.pictures = [.loss, .scoreField, .data]
            plot.logger = logger
            plot.folderLocked = true
            do throws(PlotError) {
                summary.picturePaths = try PlotSession(options: plot, registry: registry).run().written
            } catch { throw .pictures(reason: error.description) }
        }
        observer(.finished(summary))
        return summary
    }

    /// Restores `state` from the folder's checkpoint after checking that it fits, is finite and
    /// is not past the run's length; returns the training settings that differ from it.
    private func resume(
        _ state: inout TrainingState, from folder: RunFolder, recipe: ResolvedRecipe, plan: TrainingPlan,
        writes: Bool
    ) throws(TrainingError) -> [String] {
        let path = folder.checkpoint
        let checkpoint: Checkpoint
        let changes: [String]
        do throws(CheckpointError) {
            checkpoint = try Checkpoint.read(path)
            let differences = try checkpoint.recipeDifferences(from: recipe, path: path)
            guard differences.isEmpty else { throw .recipeMismatch(path: path, differences: differences) }
            changes = try checkpoint.trainingChanges(from: recipe, path: path)
        } catch {
            throw .checkpoint(error)
        }
        guard checkpoint.step <= plan.configuration.steps else {
            throw .checkpointPastEnd(path: path, step: checkpoint.step, stepCount: plan.configuration.steps)
        }
        do throws(CheckpointError) {
            guard checkpoint.standardization == plan.data.standardization else {
                throw .dataMismatch(
                    path: path, reason: "its standardisation (mean, standard deviation) is not the one prepared now")
            }
            try checkpoint.restore(into: &state, path: path)
        } catch {
            throw .checkpoint(error)
        }
        if writes { try folder.truncateMetrics(after: state.step) }
        return changes
    }
}
