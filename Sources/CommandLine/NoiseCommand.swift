import ArgumentParser
import Foundation
import ScoreKitCore
import ScoreKitRunner

/// `scorekit noise RECIPE --times 0.1,0.5,1`: the data pushed through the forward process.
struct NoiseCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "noise",
        abstract: "Draw the recipe's data pushed through its forward process, x_t = α(t)x₀ + σ(t)ε, at chosen times.",
        discussion: """
            One panel per time, the same data points and noise in each: for 2-D data an SVG of scatter \
            panels, for images a PNG with a row per image and a column per time. --process puts \
            several processes side by side, a row each (registry ids, default settings), such as \
            --process variance-preserving,sub-variance-preserving,variance-exploding. The drawn x_t \
            go beside the picture as .npy, [processes, times, count, d], in the model's space \
            (standardised when the recipe standardises its data).
            """
    )

    @Argument(help: "A recipe file or a run folder (its sde, data and seed sections are read).")
    var source: String

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The times t, comma-separated, each inside the process's time range, in panel order (no repeats).",
            valueName: "t,t,…"))
    var times: String

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Processes to compare instead of the recipe's sde: registry ids, comma-separated, each with its defaults.",
            valueName: "id,id,…"))
    var process: String?

    @Option(name: .long, help: ArgumentHelp("Data points drawn (at most the training points).", valueName: "n"))
    var count = 1_000

    @Option(
        name: .customLong("out"),
        help: ArgumentHelp(
            "The picture (.svg for 2-D data, .png for images); the .npy goes beside it "
                + "(default: noise.svg or noise.png in the run folder, or in runs/<recipe-name>).",
            valueName: "file"))
    var output: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("Override a recipe value, such as sde.betaMax=10 (repeatable).", valueName: "path=value"))
    var overrides: [String] = []

    @OptionGroup var global: GlobalOptions

    /// The times of `--times`, in order.
    static func parseTimes(_ text: String) throws -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        return try parts.map { part in
            guard let value = Double(part), value.isFinite else {
                throw ValidationError("--times: '\(part)' is not a number; give times such as --times 0.1,0.5,1")
            }
            return value
        }
    }

    func validate() throws {
        _ = try Self.parseTimes(times)
        if count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
        if let process, process.split(separator: ",").isEmpty {
            throw ValidationError("--process: give registry ids of processes, such as variance-preserving")
        }
    }

    func run(registry: ComponentRegistry) throws {
        global.apply()
        var options = ForwardNoiseSession.Options(source: source, times: try Self.parseTimes(times))
        options.processes = process?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        options.count = count
        options.output = output
        options.overrides = try global.overrides(overrides)
        options.seed = global.seed.map { UInt64($0) }
        do {
            let summary = try ForwardNoiseSession(options: options, registry: registry).run()
            guard !global.quiet else { return }
            let shape = summary.noisy.shape
            print(
                "drew \(shape[2]) points at \(shape[1]) time\(shape[1] == 1 ? "" : "s") under "
                    + summary.processes.map(\.id).joined(separator: ", "))
            if let picture = summary.picturePath {
                print("wrote \(picture)")
            } else {
                StandardError.print("skipped the picture: the data have \(shape[3]) dimensions, neither 2 nor an image")
            }
            print("wrote \(summary.arrayPath)")
        } catch {
            StandardError.print(error.description)
            throw ExitCode.failure
        }
    }
}
