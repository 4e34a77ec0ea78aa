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
        let temporary = folder + "/." + url.lastPathComponent + temporaryMarker + "\(getpid())"
        // Registered before it exists, so an interrupt between open and rename removes it.
        TemporaryFiles.register(temporary)
        defer { TemporaryFiles.unregister(temporary) }
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

    /// What the name of `writeAtomically`'s temporary file carries between the target's name
    /// and the writer's pid: `.samples.npy.tmp-1234` for `samples.npy` written by pid 1234.
    public static let temporaryMarker = ".tmp-"

    /// Removes the temporary files of `writeAtomically` in `folder` whose writer is dead: a
    /// writer killed between creating the file and renaming it leaves one behind.
    ///
    /// Only names of the form `.<name>.tmp-<pid>` are touched, and only when `kill(pid, 0)` says
    /// no such process exists (`ESRCH`): a live writer's file is never removed, and neither is a
    /// dead writer's while another process has reused its pid (it goes on a later call). A
    /// folder shared by machines or pid namespaces breaks that rule: there a pid names nothing.
    /// Best effort: files that cannot be listed or removed are left.
    public static func removeStaleTemporaries(in folder: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let own = getpid()
        for name in names where name.hasPrefix(".") {
            guard let marker = name.range(of: temporaryMarker, options: .backwards) else { continue }
            let digits = name[marker.upperBound...]
            guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let pid = Int32(digits), pid > 0, pid != own
            else { continue }
            if kill(pid, 0) != 0, errno == ESRCH {
                unlink(folder + "/" + name)
            }
        }
    }
}
