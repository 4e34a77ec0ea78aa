import Foundation
import Logging
import ScoreKitCore

/// The session's loop: trains between boundaries (log, evaluation, checkpoint steps) and
/// writes the run folder's files at each.
struct TrainingLoop {
    let trainer: Trainer
    let folder: RunFolder
    let recipeYAML: String
    let hooks: [TrainingSession.EvaluationHook]
    var diagnostics: TrainingDiagnostics
    /// Where checkpoint records go.
    let logger: Logger
    /// When the command started, for the time in a divergence's message.
    let started: ContinuousClock.Instant
    /// The mean loss of the last logged window.
    private(set) var lastLoss: Double?
    /// The step of the folder's `checkpoint.safetensors`, `nil` while it has none.
    private(set) var checkpointStep: Int?
    /// Whether this process writes the run folder (and runs the evaluations): rank 0 of a
    /// distributed run, or the one process.
    let writes: Bool

    init(
        trainer: Trainer, folder: RunFolder, recipeYAML: String, hooks: [TrainingSession.EvaluationHook],
        diagnostics: TrainingDiagnostics, logger: Logger, started: ContinuousClock.Instant = .now,
        checkpointStep: Int? = nil, writes: Bool = true
    ) {
        self.writes = writes
        self.logger = logger
        self.started = started
        self.checkpointStep = checkpointStep
        self.trainer = trainer
        self.folder = folder
        self.recipeYAML = recipeYAML
        self.hooks = hooks
        self.diagnostics = diagnostics
    }

    /// Trains `state` to step `stop`; a checkpoint is written at `stop` and at every
    /// `checkpointEvery` step, the one it replaces kept as `checkpoint.previous.safetensors`.
    /// When the run diverges nothing is written: the checkpoints from before it stay.
    mutating func run(
        _ state: inout TrainingState, until stop: Int, observer: (TrainingEvent) -> Void
    ) throws(TrainingError) {
        let configuration = trainer.plan.configuration
        let total = configuration.steps
        while state.step < stop {
            let next = [
                stop, Self.nextMultiple(of: configuration.logEvery, after: state.step),
                Self.nextMultiple(of: configuration.checkpointEvery, after: state.step),
                Self.nextMultiple(of: configuration.evaluateEvery, after: state.step),
            ].min()!
            do {
                try trainer.train(&state, until: next, diagnostics: &diagnostics) { observer(.step($0)) }
            } catch {
                try fail(error)
            }
            let step = state.step
            let evaluating = configuration.evaluateEvery > 0 && step % configuration.evaluateEvery == 0
            if step % configuration.logEvery == 0 || step == total || step == stop || evaluating {
                var metrics = diagnostics.flush(step: step)
                // The other ranks hold the same state; rank 0 evaluates, logs and saves it.
                guard writes else { continue }
                if evaluating {
                    let averaged = state.averagedModel
                    metrics.heldOutLoss = trainer.heldOutLoss(of: averaged)
                    for hook in hooks { metrics.evaluation.merge(hook(step, averaged, trainer.plan)) { $1 } }
                }
                lastLoss = metrics.loss
                try folder.append(metrics.json + "\n", to: folder.metrics)
                try folder.append(metrics.logLine(stepCount: total) + "\n", to: folder.log)
                observer(.logged(metrics))
            }
            if writes, step == stop || (configuration.checkpointEvery > 0 && step % configuration.checkpointEvery == 0)
            {
                try saveCheckpoint(state, to: folder.checkpoint, observer: observer)
                diagnostics.restartClock()
            }
        }
    }

    /// Writes a checkpoint of `state` to `path`; the folder's `checkpoint.safetensors` is
    /// first kept as `checkpoint.previous.safetensors` when `path` replaces it.
    mutating func saveCheckpoint(
        _ state: TrainingState, to path: String, observer: (TrainingEvent) -> Void
    ) throws(TrainingError) {
        let rotating = path == folder.checkpoint
        if rotating { try folder.keepPreviousCheckpoint() }
        do {
            try Checkpoint(state: state, plan: trainer.plan, recipe: recipeYAML).write(to: path)
        } catch {
            throw .checkpoint(error)
        }
        if rotating { checkpointStep = state.step }
        logger.debug("checkpoint written: \(path) at step \(state.step)")
        observer(.checkpointSaved(step: state.step, path: path))
    }

    /// Adds the time, the folder and the kept checkpoint to a divergence, logs it and rethrows
    /// it; nothing is saved, since the state in memory may already be bad.
    private func fail(_ error: TrainingError) throws(TrainingError) -> Never {
        guard case .diverged(var divergence) = error else { throw error }
        divergence.elapsedSeconds = (ContinuousClock.now - started).seconds
        divergence.folder = folder.path
        divergence.keptCheckpoint = checkpointStep.map { step in
            .init(
                path: folder.checkpoint, step: step,
                previousPath: folder.hasPreviousCheckpoint ? folder.previousCheckpoint : nil)
        }
        let failed = TrainingError.diverged(divergence)
        // Into the log file only: the command prints the error itself.
        if writes { try? folder.append(failed.description + "\n", to: folder.log) }
        throw failed
    }

    /// The first multiple of `interval` after `step` (`Int.max` for an interval of 0).
    static func nextMultiple(of interval: Int, after step: Int) -> Int {
        interval > 0 ? (step / interval + 1) * interval : .max
    }
}
