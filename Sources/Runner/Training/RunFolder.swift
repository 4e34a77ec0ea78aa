import Foundation
import ScoreKitCore

/// The folder of one training run and its files.
///
/// ```
/// runs/<recipe-name>/
///   resolved-recipe.yaml          the recipe as run (defaults filled, overrides and seed applied)
///   train.log                     human-readable progress, one line per logged window
///   metrics.jsonl                 one JSON object per logged window (`TrainingMetrics`)
///   checkpoint.safetensors        the latest state, replaced atomically
///   checkpoint.previous.safetensors  the one before it, kept when a new one is written
///   checkpoint-final.safetensors  the state after the last step
///   .lock                         the pid of the command writing into the folder (`RunFolderLock`)
/// ```
public struct RunFolder: Sendable {
    /// The folder's path, as given.
    public let path: String

    /// A run folder at `path`.
    public init(path: String) {
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// `runs/<recipe-name>`: the recipe's file name without its extension, under `runs`.
    public static func defaultPath(forRecipe recipePath: String) -> String {
        let name = URL(fileURLWithPath: recipePath).deletingPathExtension().lastPathComponent
        return "runs/" + (name.isEmpty ? "run" : name)
    }

    /// `resolved-recipe.yaml`.
    public var resolvedRecipe: String { file("resolved-recipe.yaml") }
    /// `train.log`.
    public var log: String { file("train.log") }
    /// `metrics.jsonl`.
    public var metrics: String { file("metrics.jsonl") }
    /// `checkpoint.safetensors`, the latest state.
    public var checkpoint: String { file("checkpoint.safetensors") }
    /// `checkpoint.previous.safetensors`, the checkpoint before the latest.
    public var previousCheckpoint: String { file(Self.previousCheckpointName) }
    /// `checkpoint-final.safetensors`, the state after the last step.
    public var finalCheckpoint: String { file("checkpoint-final.safetensors") }

    /// The name of the checkpoint before the latest.
    static let previousCheckpointName = "checkpoint.previous.safetensors"

    /// The path of `name` in the folder.
    public func file(_ name: String) -> String { path + "/" + name }

    /// Whether the folder holds a checkpoint to resume.
    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: checkpoint) }

    /// Whether the folder holds a checkpoint before the latest.
    public var hasPreviousCheckpoint: Bool { FileManager.default.fileExists(atPath: previousCheckpoint) }

    /// Makes the current `checkpoint.safetensors` (if any) the previous one, before a new one
    /// is written: a hard link, renamed over `checkpoint.previous.safetensors`, so
    /// `checkpoint.safetensors` stays in place until the new one is renamed over it and a kill
    /// at any moment leaves a checkpoint to resume. Where the file system has no hard links, the
    /// file is renamed instead (then, until the new one is written, only the previous one exists).
    func keepPreviousCheckpoint() throws(TrainingError) {
        guard hasCheckpoint else { return }
        let temporary = file("." + Self.previousCheckpointName + FileIO.temporaryMarker + "\(getpid())")
        unlink(temporary)
        if link(checkpoint, temporary) == 0 {
            guard rename(temporary, previousCheckpoint) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw .fileAccess(path: previousCheckpoint, reason: reason)
            }
        } else if rename(checkpoint, previousCheckpoint) != 0 {
            throw .fileAccess(path: previousCheckpoint, reason: String(cString: strerror(errno)))
        }
    }

    /// Creates the folder (and its parents) if needed.
    func create() throws(TrainingError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .fileAccess(path: path, reason: error.localizedDescription)
        }
    }

    /// Removes temporary files a killed writer left (`.checkpoint.safetensors.tmp-<pid>`, with
    /// `pid` no longer running; `FileIO.removeStaleTemporaries(in:)`).
    func removeStaleTemporaries() {
        FileIO.removeStaleTemporaries(in: path)
    }

    /// Replaces the file at `path` with `text`.
    func write(_ text: String, to path: String) throws(TrainingError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw .fileAccess(path: path, reason: "the file cannot be created")
        }
    }

    /// Appends `text` to the file at `path`, creating it if needed.
    func append(_ text: String, to path: String) throws(TrainingError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else { throw .fileAccess(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            guard n > 0 else { throw .fileAccess(path: path, reason: String(cString: strerror(errno))) }
            written += n
        }
    }

    /// Keeps the lines of `metrics.jsonl` up to `step`: those written after the checkpoint a
    /// run resumes from are dropped and written again (identical but for `stepsPerSecond` when
    /// the checkpoint's step is a multiple of `logEvery`; otherwise the windows are cut there).
    func truncateMetrics(after step: Int) throws(TrainingError) {
        guard let text = try? String(contentsOfFile: metrics, encoding: .utf8) else { return }
        let kept = text.split(separator: "\n").filter { line in
            TrainingMetrics.step(ofLine: line).map { $0 <= step } ?? false
        }
        try write(kept.map { $0 + "\n" }.joined(), to: metrics)
    }
}
