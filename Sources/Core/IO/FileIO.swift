import Foundation

/// Whole-file reads and crash-safe writes.
public enum FileIO {
    /// The bytes of the file at `path`.
    public static func read(_ path: String) throws(TensorFileError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .unreadable(path: path, reason: "no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "permission denied or not a regular file")
        }
        return [UInt8](data)
    }

    /// Writes `bytes` to `path` through a temporary file in the same folder that is flushed and
    /// then renamed over `path`, so that a crash or a kill leaves either the old file or the
    /// new one, never a partial file; the folder is synced after the rename, so the new entry
    /// survives a power loss too.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(TensorFileError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .unwritable(path: path, reason: String(cString: strerror(errno))) }
        var written = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { return false }
                written += n
            }
            return fsync(fd) == 0
        }
        let reason = String(cString: strerror(errno))
        close(fd)
        guard ok else {
            unlink(temporary)
            throw .unwritable(path: path, reason: reason)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .unwritable(path: path, reason: reason)
        }
        // The rename is durable once the folder's entry is on disk; best effort, since some
        // file systems cannot sync a directory (the file itself already is).
        let folderDescriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY)
        if folderDescriptor >= 0 {
            _ = fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }
}
