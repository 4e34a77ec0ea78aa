import Foundation

/// Writes messages for the user to standard error, each ending in a newline; on ranks other
/// than 0 they are held, and a failing rank's reach rank 0 (`Ranks`).
enum StandardError {
    static func print(_ message: String) {
        guard Ranks.prints(message) else { return }
        let text = message.hasSuffix("\n") ? message : message + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Writes `message` followed by `terminator` (for progress lines that redraw with "\r").
    static func print(_ message: String, terminator: String) {
        guard Ranks.isRoot else { return }
        FileHandle.standardError.write(Data((message + terminator).utf8))
    }
}
