import Foundation

/// Writes messages for the user to standard error, each ending in a newline.
enum StandardError {
    static func print(_ message: String) {
        let text = message.hasSuffix("\n") ? message : message + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Writes `message` followed by `terminator` (for progress lines that redraw with "\r").
    static func print(_ message: String, terminator: String) {
        FileHandle.standardError.write(Data((message + terminator).utf8))
    }
}
