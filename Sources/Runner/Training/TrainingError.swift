import Foundation
import ScoreKitCore

/// Why a training run could not start, continue or finish: thrown, never printed.
///
/// ```
/// error: the loss became non-finite (nan) at step 213 of 20000
///   3 of 512 samples non-finite, at t = 0.0123, 0.0456, 0.981; gradient norm inf; learning rate 1000000
///   the last good state (step 212) is in runs/r/checkpoint.safetensors
///   hint: lower training.learningRate, set training.gradientClipNorm (such as 1), or standardise the data (data.standardization: perDimension)
/// ```
public enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The recipe cannot be read or lacks a section training needs.
    case recipe(RecipeError)
    /// The data cannot be loaded.
    case data(DataError)
    /// A checkpoint cannot be read, or does not fit the recipe.
    case checkpoint(CheckpointError)
    /// A step produced a non-finite loss or gradient; nothing of that step was applied.
    case nonFiniteLoss(NonFiniteLoss)
    /// The output folder already holds a run and `--resume` was not given.
    case folderInUse(path: String)
    /// `--resume` was given but the folder holds no checkpoint.
    case nothingToResume(path: String)
    /// A file of the run folder cannot be written or read.
    case fileAccess(path: String, reason: String)
    /// The run finished, but its pictures could not be drawn (the message says why).
    case pictures(reason: String)
    /// Another process writes into the run folder, or it cannot be locked.
    case runFolder(RunFolderError)

    /// What was known when a step's loss or gradient stopped being finite.
    public struct NonFiniteLoss: Sendable, Equatable {
        /// The failing step, counted from 1 (the state holds `step − 1` completed steps).
        public var step: Int
        /// The run's length.
        public var stepCount: Int
        /// The batch loss.
        public var loss: Float
        /// The global gradient norm (before clipping).
        public var gradientNorm: Double
        /// The learning rate the step would have used.
        public var learningRate: Double
        /// The times of the samples whose loss term is not finite (all sampled times when the
        /// terms are finite but the gradient is not).
        public var times: [Double]
        /// The batch size.
        public var sampleCount: Int
        /// Where the last good state was saved, if it was.
        public var checkpointPath: String?

        public init(
            step: Int, stepCount: Int, loss: Float, gradientNorm: Double, learningRate: Double, times: [Double],
            sampleCount: Int, checkpointPath: String? = nil
        ) {
            self.step = step
            self.stepCount = stepCount
            self.loss = loss
            self.gradientNorm = gradientNorm
            self.learningRate = learningRate
            self.times = times
            self.sampleCount = sampleCount
            self.checkpointPath = checkpointPath
        }
    }

    public var description: String {
        switch self {
        case .recipe(let error): return error.description
        case .data(let error): return error.description
        case .checkpoint(let error): return error.description
        case .nonFiniteLoss(let failure): return Self.describe(failure)
        case .folderInUse(let path):
            return Self.render(
                "the folder '\(path)' already holds a run (checkpoint.safetensors)",
                ["pass --resume to continue it, or --out to train into another folder"])
        case .nothingToResume(let path):
            return Self.render(
                "nothing to resume: '\(path)' has no checkpoint.safetensors",
                ["train without --resume to start the run, or give its folder with --out"])
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

    private static func describe(_ f: NonFiniteLoss) -> String {
        let what =
            f.loss.isFinite
            ? "the gradient became non-finite (norm \(f.gradientNorm))" : "the loss became non-finite (\(f.loss))"
        let times = f.times.prefix(5).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        let more = f.times.count > 5 ? ", …" : ""
        var notes: [String] = []
        if f.times.isEmpty {
            notes.append("gradient norm \(f.gradientNorm); learning rate \(f.learningRate)")
        } else {
            notes.append(
                "\(f.times.count) of \(f.sampleCount) samples non-finite, at t = \(times)\(more); "
                    + "gradient norm \(f.gradientNorm); learning rate \(f.learningRate)")
        }
        if let path = f.checkpointPath {
            notes.append("the last good state (step \(f.step - 1)) is in \(path)")
        }
        notes.append(
            "hint: lower training.learningRate, set training.gradientClipNorm (such as 1), "
                + "or standardise the data (data.standardization: perDimension)")
        return render("\(what) at step \(f.step) of \(f.stepCount)", notes)
    }
}
