import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One writer per run folder: an advisory lock (`flock(LOCK_EX | LOCK_NB)`) on the folder's
/// `.lock` file, which holds the pid of the process that has it.
///
/// `train` (fresh or `--resume`) holds it for the whole command, as do `sample`, `evaluate`,
/// `likelihood`, `encode`, `decode` and `plot` when they write into a run folder; a second
/// writer stops within 0.2 s with `RunFolderError.inUse`, naming the holder's pid. The kernel drops
/// the lock when its descriptor closes, so also when the holder dies (even by `kill -9`); the
/// `.lock` file itself stays (removing it would let two processes lock two different files).
///
/// The lock is per open file description: a second `RunFolderLock` on the same folder in the
/// same process is refused too, so a session that runs another one inside (training draws its
/// pictures with `PlotSession`) tells it that the lock is already held. Advisory only: a
/// process that does not ask (an older scorekit, `rm`) is not stopped.
package struct RunFolderLock: Sendable {
    /// The lock file's name in the folder.
    package static let fileName = ".lock"

    /// The locked folder.
    package let folder: String
    private let descriptor: Int32

    /// Locks `folder` (which must exist) for this process, writing its pid into `.lock`.
    /// - Throws: `RunFolderError.inUse` when another process holds it; `.lockFailed` when the
    ///   lock file cannot be opened or locked.
    package init(folder: String) throws(RunFolderError) {
        self.folder = folder
        let path = folder + "/" + Self.fileName
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .lockFailed(path: folder, reason: String(cString: strerror(errno)))
        }
        var result = Self.tryLock(descriptor)
        // A holder that has just let go can still share its lock for a moment: a child that
        // another thread of its process spawned keeps a copy of the descriptor until its exec
        // closes it. Try again for up to 0.2 s before calling the folder in use.
        for _ in 0..<20 where result != 0 && errno == EWOULDBLOCK {
            usleep(10_000)
            result = Self.tryLock(descriptor)
        }
        guard result == 0 else {
            let code = errno
            let holder = Self.holder(descriptor)
            close(descriptor)
            if code == EWOULDBLOCK { throw .inUse(path: folder, pid: holder) }
            throw .lockFailed(path: folder, reason: String(cString: strerror(code)))
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.descriptor = descriptor
    }

    /// flock(LOCK_EX | LOCK_NB), again when a signal interrupts it.
    private static func tryLock(_ descriptor: Int32) -> Int32 {
        var result: Int32
        repeat { result = flock(descriptor, LOCK_EX | LOCK_NB) } while result != 0 && errno == EINTR
        return result
    }

    /// Unlocks the folder; call once, when the command's writing is done.
    package func release() {
        close(descriptor)
    }

    /// The pid written in the lock file (nil while its holder has not written it yet).
    private static func holder(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self)
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
