import ArgumentParser
import ScoreKitCore

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for BLAS and the parallel kernels (default: the active cores).")
    var threads: Int?

    @Flag(name: .long, help: "Print only errors.")
    var quiet = false

    func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1, got \(threads)")
        }
    }

    /// Applies the options that act on the whole process; call first in `run()`.
    func apply() {
        if let threads { Compute.setThreadCount(threads) }
    }
}
