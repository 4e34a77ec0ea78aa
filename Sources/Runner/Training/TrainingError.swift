import Foundation
import ScoreKitCore

/// Why a training run could not start, continue or finish: thrown, never printed.
///
/// ```
/// error: training diverged at step 213 of 20000 (41.2 s after the start): the loss is non-finite (nan)
///   3 of 512 samples non-finite, at t = 0.0123, 0.0456, 0.981
///   loss nan, running median 0.8123 over the last 100 steps; gradient norm inf (before clipping); learning rate 1e+06
///   the checkpoint of step 200 is kept: runs/r/checkpoint.safetensors (the one before it: runs/r/checkpoint.previous.safetensors); nothing after step 200 was saved
///   hint: lower training.learningRate, set training.gradientClipNorm (such as 1), or standardise the data (data.standardization: perDimension); then continue with --resume
/// ```
public enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The recipe cannot be read or lacks a section training needs.
    case recipe(RecipeError)
    /// The data cannot be loaded.
    case data(DataError)
    /// A checkpoint cannot be read, or does not fit the recipe.
    case checkpoint(CheckpointError)
    /// The run diverged: a non-finite loss, gradient, weight or optimizer state, or a loss above
    /// `training.divergenceFactor` × its running median. Nothing is saved after it.
    case diverged(Divergence)
    /// The output folder already holds a run and `--resume` was not given.
    case folderInUse(path: String)
    /// `--resume` was given but the folder holds no checkpoint.
    case nothingToResume(path: String)
    /// `--resume` of a run whose checkpoint is past the run's length (`training.steps`, `--steps`).
    case checkpointPastEnd(path: String, step: Int, stepCount: Int)
    /// A file of the run folder cannot be written or read.
    case fileAccess(path: String, reason: String)
    /// The run finished, but its pictures could not be drawn (the message says why).
    case pictures(reason: String)
    /// Another process writes into the run folder, or it cannot be locked.
    case runFolder(RunFolderError)

    public var description: String {
        switch self {
        case .recipe(let error): return error.description
        case .data(let error): return error.description
        case .checkpoint(let error): return error.description
        case .diverged(let divergence): return divergence.description
        case .folderInUse(let path):
            return Self.render(
                "the folder '\(path)' already holds a run (checkpoint.safetensors)",
                ["pass --resume to continue it, or --out to train into another folder"])
        case .nothingToResume(let path):
            return Self.render(
                "nothing to resume: '\(path)' has no checkpoint.safetensors",
                ["train without --resume to start the run, or give its folder with --out"])
        case .checkpointPastEnd(let path, let step, let stepCount):
            return [
                "\(path): error: the checkpoint is at step \(step), past the run's length of \(stepCount) steps "
                    + "(training.steps)",
                "with --resume, --steps N is the run's new length, counted from its first step, not N more steps",
                "to train longer, give --steps above \(step); the run is left as it is",
            ].joined(separator: "\n  ")
        case .fileAccess(let path, let reason):
            return Self.render("cannot write or read '\(path)': \(reason)", [])
        case .runFolder(let error): return error.description
        case .pictures(let reason):
            return reason + "\n  the run itself is complete; draw the pictures again with `scorekit plot`"
        }
    }

    private static func render(_ headline: String, _ notes: [String]) -> String {
        (["error: " + headline] + notes).joined(separator: "\n  ")
    }
}
