import Dispatch
import Foundation

/// The temporary files `FileIO.writeAtomically` is writing, so that an interrupted command
/// (Ctrl-C, `kill`, a closed terminal) removes them before it exits instead of leaving them
/// beside the file they were to replace.
///
/// ```swift
/// TemporaryFiles.removeOnSignals()   // once, at the start of a command
/// ```
/// The handlers run on a dispatch queue, not in the signal's context, so they may take the
/// lock and unlink; they then exit with 128 + the signal's number, as the shell reports a
/// process the signal ended. A `kill -9` cannot be caught: the next command that writes into
/// the folder removes what it left (`FileIO.removeStaleTemporaries(in:)`).
public enum TemporaryFiles {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths: Set<String> = []
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// The signals that remove the files: interrupt, terminate, hang-up.
    public static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Records `path` as being written.
    static func register(_ path: String) {
        lock.withLock { _ = paths.insert(path) }
    }

    /// Forgets `path`: renamed into place or removed.
    static func unregister(_ path: String) {
        lock.withLock { _ = paths.remove(path) }
    }

    /// The files being written now.
    public static var current: Set<String> { lock.withLock { paths } }

    /// Removes every file being written, and forgets them.
    public static func removeAll() {
        lock.withLock {
            for path in paths { unlink(path) }
            paths.removeAll()
        }
    }

    /// From now on, `signals` remove the files being written and end the process with
    /// 128 + the signal. Calling it again changes nothing.
    public static func removeOnSignals() {
        lock.withLock {
            guard sources.isEmpty else { return }
            for number in signals {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    removeAll()
                    _exit(128 + number)
                }
                source.resume()
                sources.append(source)
            }
        }
    }
}
