import Foundation
import Logging
import ScoreKitRunner
import Testing

/// Console lines collected by a test.
final class CollectedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ line: String) { lock.withLock { storage.append(line) } }
    var lines: [String] { lock.withLock { storage } }
}

/// `RunLogHandler`: console and file levels, `--quiet`, file output, and the `scorekit` binary's use of it.
@Suite("RunLogHandler", .serialized)
struct RunLogHandlerTests {
    static let noon = Date(timeIntervalSince1970: 1_767_182_400)  // 2025-12-31T12:00:00Z

    static func logger(
        console: Logger.Level, file: Logger.Level = .info, lines: CollectedLines
    ) -> Logger {
        Logger(label: "test") {
            RunLogHandler(
                label: $0, consoleLevel: console, fileLevel: file, now: { noon }, console: { lines.append($0) })
        }
    }

    @Test("records below the console level stay off the console; metadata is printed sorted")
    func consoleLevels() {
        let lines = CollectedLines()
        let logger = Self.logger(console: .notice, lines: lines)
        logger.debug("debug")
        logger.info("info")
        logger.notice("notice", metadata: ["step": "3", "alpha": "x"])
        logger.error("error")
        #expect(lines.lines == ["notice: notice alpha=x step=3", "error: error"])
        #expect(logger.logLevel == .info)
    }

    @Test("quiet: only errors on the console, while the file keeps info and above")
    func quiet() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lines = CollectedLines()
        let logger = Self.logger(console: .error, lines: lines).appending(to: dir + "/train.log")
        logger.debug("not anywhere")
        logger.info("started")
        logger.warning("odd", metadata: ["step": "7"])
        logger.critical("broken")
        #expect(lines.lines == ["critical: broken"])
        let file = try String(contentsOfFile: dir + "/train.log", encoding: .utf8)
        #expect(
            file == """
                2025-12-31T12:00:00Z info: started
                2025-12-31T12:00:00Z warning: odd step=7
                2025-12-31T12:00:00Z critical: broken

                """)
    }

    @Test("a debug level reaches the file too; a logger without the key writes no file; an unwritable file is skipped")
    func fileLevels() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lines = CollectedLines()
        var logger = Self.logger(console: .debug, file: .debug, lines: lines)
        logger.info("console only")
        logger = logger.appending(to: dir + "/run.log")
        logger.debug("checkpoint written")
        logger.appending(to: dir + "/no/such/folder/run.log").info("nowhere on disk")
        #expect(lines.lines == ["info: console only", "debug: checkpoint written", "info: nowhere on disk"])
        #expect(
            try String(contentsOfFile: dir + "/run.log", encoding: .utf8)
                == "2025-12-31T12:00:00Z debug: checkpoint written\n")
        // The sessions' default writes files only.
        Logger.runFilesOnly().appending(to: dir + "/quiet.log").info("kept")
        #expect(try String(contentsOfFile: dir + "/quiet.log", encoding: .utf8).hasSuffix(" info: kept\n"))
    }

    @Test(
        "scorekit: --log-level debug shows checkpoints on standard error, --quiet nothing, the run log keeps info",
        .enabled(if: scorekitBinaryTestsEnabled))
    func binary() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try writeRecipe(tinyRecipe(steps: 20), named: "r.yaml", in: dir)
        let verbose = try runScorekit(["train", "r.yaml", "--out", "a", "--log-level", "debug"], in: dir)
        #expect(verbose.status == 0)
        #expect(verbose.standardError.contains("debug: checkpoint written: a/checkpoint-final.safetensors at step 20"))
        #expect(verbose.standardError.contains("info: started r.yaml in a: step 0 of 20"))
        let quiet = try runScorekit(["train", "r.yaml", "--out", "b", "--quiet", "--log-level", "debug"], in: dir)
        #expect(quiet.status == 0 && quiet.standardError.isEmpty)
        let plain = try runScorekit(["train", "r.yaml", "--out", "c"], in: dir)
        #expect(plain.status == 0 && !plain.standardError.contains("info:"))
        let log = try String(contentsOfFile: dir + "/c/train.log", encoding: .utf8)
        #expect(log.contains(" info: started r.yaml in c: step 0 of 20") && log.contains(" info: finished: 20 steps"))
        #expect(!log.contains("debug:"))
        let debugLog = try String(contentsOfFile: dir + "/b/train.log", encoding: .utf8)
        #expect(debugLog.contains(" debug: checkpoint written: b/checkpoint.safetensors at step 20"))
        let bad = try runScorekit(["validate", "r.yaml", "--log-level", "loud"], in: dir)
        #expect(bad.status != 0 && bad.standardError.contains("--log-level must be one of trace, debug, info"))
    }
}
