import ArgumentParser
import Foundation
import Logging
import ScoreKitCore
import ScoreKitRunner

/// Options every subcommand takes, with one meaning everywhere.
///
/// - `--threads N`: BLAS and the engine's parallel kernels use N threads.
/// - `--seed S`: replaces the recipe's root seed (as `--set seed=S`); every random stream of
///   the command derives from it (training, sampling noise, evaluation directions).
/// - `--quiet`: only errors are printed (no progress, no tables, no "wrote …" lines, no log records
///   below `error`).
/// - `--log-level L`: log records at L and above go to standard error (default `notice`); the run
///   folder's `train.log` keeps `info` and above, or everything from L when L is below `info`.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for BLAS and the parallel kernels (default: the active cores).")
    var threads: Int?

    @Option(name: .long, help: "The root seed, replacing the recipe's (as --set seed=S).")
    var seed: Int?

    @Flag(name: .customLong("quiet"), help: "Print only errors.")
    var quietFlag = false

    /// `--quiet`, or a rank other than 0 of `mpirun` (rank 0 prints for all).
    var quiet: Bool { quietFlag || !Ranks.isRoot }

    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp(
            "Log records at this level and above go to standard error: trace, debug, info, notice (default), warning, error, critical.",
            valueName: "level"))
    var logLevel: String?

    func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1, got \(threads)")
        }
        if let seed, seed < 0 {
            throw ValidationError("--seed must be a whole number ≥ 0, got \(seed)")
        }
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--log-level must be one of \(levels), got '\(logLevel)'")
        }
    }

    /// The level of records on standard error: `error` when quiet, else `--log-level` (default `notice`).
    var consoleLevel: Logger.Level {
        quiet ? .error : logLevel.flatMap(Logger.Level.init(rawValue:)) ?? .notice
    }

    /// Applies the options that act on the whole process; call first in `run()`.
    ///
    /// Bootstraps swift-log once: `RunLogHandler` writes records at `consoleLevel` and above to
    /// standard error (clearing a progress bar's line on a terminal) and appends records at
    /// `info` and above (or `--log-level`, when lower) to the run folder's log their session names.
    func apply() {
        if let threads { Compute.setThreadCount(threads) }
        let console = consoleLevel
        let file = min(logLevel.flatMap(Logger.Level.init(rawValue:)) ?? .info, .info)
        let clearLine = isatty(STDERR_FILENO) == 1 ? "\r\u{1B}[K" : ""
        LoggingSystem.bootstrap { label in
            RunLogHandler(
                label: label, consoleLevel: console, fileLevel: file,
                console: { line in StandardError.print(clearLine + line) })
        }
    }

    /// The logger the sessions write to (after `apply()`).
    var logger: Logger { Logger(label: "scorekit") }

    /// `texts` (`--set path=value`) parsed, followed by `seed=S` when `--seed` is given.
    /// - Throws: `ExitCode.failure` (status 1, as for any recipe error) after printing the parser's message.
    func overrides(_ texts: [String]) throws -> [ConfigurationOverride] {
        var parsed: [ConfigurationOverride] = []
        for text in texts {
            do {
                parsed.append(try ConfigurationOverride(parsing: text))
            } catch {
                StandardError.print(error.description)
                throw ExitCode.failure
            }
        }
        if let seed { parsed.append(ConfigurationOverride(path: "seed", value: .integer(seed))) }
        return parsed
    }
}
