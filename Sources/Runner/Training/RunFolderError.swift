import Foundation

/// Why a command may not write where it was asked to: the run folder is locked by another
/// writer, or the output would replace an input or cannot be written at all. Checked before
/// any work starts.
///
/// ```
/// runs/ring: error: the run folder is in use by another scorekit (pid 1234)
///   one command writes into a run folder at a time; wait for it or use another --out
/// runs/ring/checkpoint.safetensors: error: --out would overwrite the run's checkpoint
///   an output never replaces an input of the command; choose another --out
/// ```
public enum RunFolderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process holds the folder's lock (`pid`: the one written in `.lock`, if any).
    case inUse(path: String, pid: Int32?)
    /// The folder's lock file cannot be created or locked.
    case lockFailed(path: String, reason: String)
    /// The output resolves to the same file as an input of the command (`role`: what the input is).
    case outputIsInput(output: String, role: String)
    /// The output names a folder, not a file.
    case outputIsFolder(output: String)
    /// The folder the output would go into does not exist.
    case missingOutputFolder(output: String, folder: String)
    /// The folder the output would go into cannot be written.
    case unwritableOutputFolder(output: String, folder: String, reason: String)

    public var description: String {
        switch self {
        case .inUse(let path, let pid):
            let holder = pid.map { "pid \($0)" } ?? "pid unknown"
            return "\(path): error: the run folder is in use by another scorekit (\(holder))\n"
                + "  one command writes into a run folder at a time; wait for it or use another --out"
        case .lockFailed(let path, let reason):
            return "\(path): error: cannot lock the run folder: \(reason)\n"
                + "  the folder must be writable (scorekit keeps a .lock file in it); use another --out"
        case .outputIsInput(let output, let role):
            return "\(output): error: --out would overwrite the \(role)\n"
                + "  an output never replaces an input of the command; choose another --out"
        case .outputIsFolder(let output):
            return "\(output): error: --out names a folder; it needs a file name\n"
                + "  such as --out \(output.hasSuffix("/") ? output : output + "/")out.npy"
        case .missingOutputFolder(let output, let folder):
            return "\(output): error: the folder '\(folder)' does not exist\n"
                + "  create it first, or choose another --out"
        case .unwritableOutputFolder(let output, let folder, let reason):
            return "\(output): error: cannot write into the folder '\(folder)': \(reason)\n"
                + "  choose a folder you can write into, with --out"
        }
    }
}
