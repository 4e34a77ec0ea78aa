import Foundation
import ScoreKitCore

#if canImport(Glibc)
    import Glibc
#endif

/// What a command checks about its output file before any work: its folder exists and is
/// writable, it is none of the command's inputs (compared as real paths, so a symbolic link or
/// `./` does not slip through), and, when it goes into a run folder, that folder is locked for
/// this process (`RunFolderLock`). Then the stale temporary files of killed writers in that
/// folder are removed (`FileIO.removeStaleTemporaries(in:)`).
package enum OutputCheck {
    /// An input of a command: its path and what it is ("run's checkpoint", "input file", …).
    package typealias Input = (role: String, path: String)

    /// Checks `output` against `inputs`; returns the lock of the run folder it goes into, if it does.
    package static func prepare(output: String, inputs: [Input]) throws(RunFolderError) -> RunFolderLock? {
        let folder = folder(of: output)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isFolder), isFolder.boolValue {
            throw .outputIsFolder(output: output)
        }
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw .missingOutputFolder(output: output, folder: folder)
        }
        guard access(folder, W_OK | X_OK) == 0 else {
            throw .unwritableOutputFolder(output: output, folder: folder, reason: String(cString: strerror(errno)))
        }
        if let target = realPath(output) {
            for input in inputs where realPath(input.path) == target {
                throw .outputIsInput(output: output, role: input.role)
            }
        }
        let lock = try lockIfRunFolder(folder)
        FileIO.removeStaleTemporaries(in: folder)
        return lock
    }

    /// Locks `folder` when it is a run folder (it holds `resolved-recipe.yaml`).
    package static func lockIfRunFolder(_ folder: String) throws(RunFolderError) -> RunFolderLock? {
        guard FileManager.default.fileExists(atPath: RunFolder(path: folder).resolvedRecipe) else { return nil }
        return try RunFolderLock(folder: folder)
    }

    /// The inputs a run source brings: the recipe (or the run's resolved recipe) and, for a run
    /// folder, all its checkpoints (`checkpoint*.safetensors`); `checkpoint` if given.
    package static func inputs(ofSource source: String, checkpoint: String? = nil) -> [Input] {
        let (recipe, folder) = RunSource.locate(source)
        var inputs: [Input] = [(folder == nil ? "recipe" : "run's resolved recipe", recipe)]
        if let folder {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for name in names.sorted() where name.hasPrefix("checkpoint") && name.hasSuffix(".safetensors") {
                inputs.append(("run's checkpoint", folder + "/" + name))
            }
        }
        if let checkpoint { inputs.append(("checkpoint", checkpoint)) }
        return inputs
    }

    /// `path` with every symbolic link and `.`/`..` resolved; for a file that does not exist
    /// yet, its folder's real path and its name; nil when the folder does not exist either.
    package static func realPath(_ path: String) -> String? {
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        guard let resolved = realpath(folder(of: path), nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved) + "/" + (path.split(separator: "/").last.map(String.init) ?? path)
    }

    /// The folder part of `path`, as written: `runs/r` for `runs/r/s.npy`, `.` for `s.npy`.
    package static func folder(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }
}
