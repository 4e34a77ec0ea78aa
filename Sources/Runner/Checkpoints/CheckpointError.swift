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
        }
        return ([path + ": error: " + headline] + notes).joined(separator: "\n  ")
    }

    private static func list(_ names: [String]) -> String {
        let shown = names.prefix(6).joined(separator: ", ")
        return names.count > 6 ? shown + ", … (\(names.count) in all)" : shown
    }
}
