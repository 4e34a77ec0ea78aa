public import Foundation
public import Logging

/// The log handler of ScoreKit's sessions: each record goes to a console (standard error in
/// `scorekit`) and is appended to the run folder's log file named in its metadata.
///
/// ```swift
/// LoggingSystem.bootstrap { label in
///     RunLogHandler(label: label, level: .info, consoleLevel: quiet ? .error : .info) { line in … }
/// }
/// var logger = Logger(label: "scorekit")
/// logger[metadataKey: RunLogHandler.logFileKey] = "\(folder.log)"   // what sessions do
/// ```
/// Console lines are `level: message [key=value …]`; file lines start with an ISO 8601 UTC
/// time, `2026-01-31T12:00:00Z info: message`. The log-file key itself is never printed.
/// Records below `consoleLevel` reach only the file; records below `fileLevel` only the
/// console, so that a run's log keeps its `info` records under `--quiet` or `--log-level warning`.
/// A file that cannot be opened is skipped silently: logging never stops a run.
public struct RunLogHandler: LogHandler {
    /// The metadata key whose value is the path of the log file a record is appended to.
    public static let logFileKey = "runLog"

    /// The label of the logger.
    public let label: String
    /// The least severe level written to the console.
    public var consoleLevel: Logger.Level
    /// The least severe level appended to log files.
    public var fileLevel: Logger.Level
    /// Where console lines go (without a trailing newline); `nil`: files only.
    public let console: (@Sendable (String) -> Void)?
    /// The time stamped on file lines.
    public let now: @Sendable () -> Date

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    /// A handler for `label` writing records at `consoleLevel` and above to `console`, and at
    /// `fileLevel` and above to the files their metadata name.
    public init(
        label: String, consoleLevel: Logger.Level = .info, fileLevel: Logger.Level = .info,
        now: @escaping @Sendable () -> Date = { Date() }, console: (@Sendable (String) -> Void)? = nil
    ) {
        self.label = label
        self.consoleLevel = consoleLevel
        self.fileLevel = fileLevel
        self.now = now
        self.console = console
    }

    /// The least severe level either destination takes (what `Logger` filters on).
    public var logLevel: Logger.Level {
        get { console == nil ? fileLevel : min(consoleLevel, fileLevel) }
        set {
            consoleLevel = newValue
            fileLevel = newValue
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let own = event.metadata { merged.merge(own) { $1 } }
        let file = merged.removeValue(forKey: Self.logFileKey)
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let text = "\(event.level): \(event.message)" + (fields.isEmpty ? "" : " " + fields.joined(separator: " "))
        if let console, event.level >= consoleLevel { console(text) }
        if event.level >= fileLevel, let file, case .string(let path) = file {
            Self.append("\(Self.timestamp(now())) \(text)\n", to: path)
        }
    }

    /// `2026-01-31T12:00:00Z`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    /// Appends `text` to the file at `path`, creating it if needed; skips a file it cannot open.
    static func append(_ text: String, to path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            guard n > 0 else { return }
            written += n
        }
    }
}

extension Logger {
    /// A logger whose records reach only the run folder's log files (`RunLogHandler` without a
    /// console): the sessions' default, so a library user's runs keep their logs too.
    public static func runFilesOnly(label: String = "scorekit") -> Logger {
        Logger(label: label) { RunLogHandler(label: $0) }
    }

    /// This logger with its records also appended to `path` (`RunLogHandler.logFileKey`).
    public func appending(to path: String) -> Logger {
        var copy = self
        copy[metadataKey: RunLogHandler.logFileKey] = .string(path)
        return copy
    }
}
