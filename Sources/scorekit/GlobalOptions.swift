import ArgumentParser
import ScoreKitCore

/// Options every subcommand takes, with one meaning everywhere.
///
/// - `--threads N`: BLAS and the engine's parallel kernels use N threads.
/// - `--seed S`: replaces the recipe's root seed (as `--set seed=S`); every random stream of
///   the command derives from it (training, sampling noise, evaluation directions).
/// - `--quiet`: only errors are printed (no progress, no tables, no "wrote …" lines).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for BLAS and the parallel kernels (default: the active cores).")
    var threads: Int?

    @Option(name: .long, help: "The root seed, replacing the recipe's (as --set seed=S).")
    var seed: Int?

    @Flag(name: .long, help: "Print only errors.")
    var quiet = false

    func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1, got \(threads)")
        }
        if let seed, seed < 0 {
            throw ValidationError("--seed must be a whole number ≥ 0, got \(seed)")
        }
    }

    /// Applies the options that act on the whole process; call first in `run()`.
    func apply() {
        if let threads { Compute.setThreadCount(threads) }
    }

    /// `texts` (`--set path=value`) parsed, followed by `seed=S` when `--seed` is given.
    /// - Throws: `ExitCode.validationFailure` after printing the parser's message.
    func overrides(_ texts: [String]) throws -> [ConfigurationOverride] {
        var parsed: [ConfigurationOverride] = []
        for text in texts {
            do {
                parsed.append(try ConfigurationOverride(parsing: text))
            } catch {
                StandardError.print(error.description)
                throw ExitCode.validationFailure
            }
        }
        if let seed { parsed.append(ConfigurationOverride(path: "seed", value: .integer(seed))) }
        return parsed
    }
}
