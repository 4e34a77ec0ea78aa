public import ScoreKitCore

/// A checkpoint that cannot be read, or that does not fit the recipe it should continue.
///
/// ```
/// runs/r/checkpoint.safetensors: error: the checkpoint does not fit the recipe's network
///   'model.l1.weight' has shape [256, 34] in the checkpoint, the recipe's network makes [128, 34]
///   the checkpoint was written by another recipe; train into another folder or restore that recipe
/// ```
public enum CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file cannot be read, or is truncated or corrupted (the safetensors reader's error).
    case file(TensorFileError)
    /// A valid safetensors file that is not a ScoreKit checkpoint, or lacks `field`.
    case notACheckpoint(path: String, reason: String)
    /// Tensors the recipe's model or optimizer has that the checkpoint lacks.
    case missingTensors(path: String, names: [String])
    /// Tensors in the checkpoint the recipe's model or optimizer does not have.
    case unexpectedTensors(path: String, names: [String])
    /// A tensor whose shape differs from the recipe's.
    case shapeMismatch(path: String, name: String, stored: [Int], expected: [Int])
    /// Sections of the recipe that differ from the checkpoint's (dotted paths).
    case recipeMismatch(path: String, differences: [String])
    /// The data standardisation differs from the one the checkpoint was trained with.
    case dataMismatch(path: String, reason: String)
    /// The optimizer's state type cannot be restored from named tensors.
    case optimizerNotRestorable(path: String, stateType: String)
    /// A tensor that resuming or building the network reads holds NaN or ±∞; `previous` is the
    /// run folder's `checkpoint.previous.safetensors` beside it, when there is one.
    case nonFiniteTensor(path: String, tensor: NonFiniteTensor, use: Use, previous: String?)

    /// What a checkpoint was read for.
    public enum Use: Sendable, Equatable {
        /// `scorekit train --resume`: weights, weight average and optimizer state.
        case resuming
        /// `sample`, `likelihood`, `plot` and the other commands that build the network from it.
        case loadingNetwork
    }

    public var description: String {
        let (path, headline, notes): (String, String, [String])
        let otherRecipe =
            "the checkpoint was written by another recipe; train into another folder or restore that recipe"
        switch self {
        case .file(let error):
            return error.description
        case .notACheckpoint(let p, let reason):
            (path, headline, notes) = (
                p, "not a ScoreKit checkpoint: \(reason)", ["checkpoints are written by scorekit train"]
            )
        case .missingTensors(let p, let names):
            (path, headline, notes) = (
                p, "the checkpoint lacks \(names.count) tensor\(names.count == 1 ? "" : "s") the recipe needs",
                ["missing: " + Self.list(names), otherRecipe]
            )
        case .unexpectedTensors(let p, let names):
            (path, headline, notes) = (
                p, "the checkpoint has \(names.count) tensor\(names.count == 1 ? "" : "s") the recipe does not make",
                ["unexpected: " + Self.list(names), otherRecipe]
            )
        case .shapeMismatch(let p, let name, let stored, let expected):
            (path, headline, notes) = (
                p, "the checkpoint does not fit the recipe",
                ["'\(name)' has shape \(stored) in the checkpoint, the recipe makes \(expected)", otherRecipe]
            )
        case .recipeMismatch(let p, let differences):
            (path, headline, notes) = (
                p, "the recipe differs from the one the checkpoint was trained with",
                ["differences: " + Self.list(differences), "only the training section may change when resuming"]
            )
        case .dataMismatch(let p, let reason):
            (path, headline, notes) = (
                p, "the data differs from the checkpoint's: \(reason)",
                ["resume with the data the run started with"]
            )
        case .optimizerNotRestorable(let p, let stateType):
            (path, headline, notes) = (
                p, "the optimizer state \(stateType) cannot be restored from a checkpoint",
                ["optimizers that resume: adam, adamw, sgd"]
            )
        case .nonFiniteTensor(let p, let tensor, let use, let previous):
            (path, headline, notes) = (p, "\(tensor)", Self.nonFiniteNotes(path: p, use: use, previous: previous))
        }
        return ([path + ": error: " + headline] + notes).joined(separator: "\n  ")
    }

    private static func nonFiniteNotes(path: String, use: Use, previous: String?) -> [String] {
        let cause = "this checkpoint was saved after training had diverged, or the file was changed"
        switch use {
        case .resuming:
            let alternative =
                previous.map { "resume from the previous checkpoint: move \($0) to \(path), then --resume " }
                ?? "train again in another folder (--out) "
            return [
                "a run resumes only from finite weights, weight average and optimizer state; " + cause,
                alternative + "with a lower training.learningRate or a training.gradientClipNorm (such as 1)",
            ]
        case .loadingNetwork:
            let alternative = previous.map { "use an earlier checkpoint (--checkpoint \($0)), or " } ?? ""
            return [
                "the network is built only from finite weights; " + cause,
                alternative
                    + "train again with a lower training.learningRate or a training.gradientClipNorm (such as 1)",
            ]
        }
    }

    private static func list(_ names: [String]) -> String {
        let shown = names.prefix(6).joined(separator: ", ")
        return names.count > 6 ? shown + ", … (\(names.count) in all)" : shown
    }
}
