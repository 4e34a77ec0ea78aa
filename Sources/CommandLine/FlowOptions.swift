import ArgumentParser
import ScoreKitRunner

/// The options `likelihood`, `encode` and `decode` share: where the model comes from.
struct FlowOptions: ParsableArguments {
    @Argument(help: "A run folder, or a recipe file (with an exact network, or with --checkpoint).")
    var source: String

    @Option(name: .long, help: ArgumentHelp("The checkpoint, for a recipe file.", valueName: "file"))
    var checkpoint: String?

    @Option(name: .customLong("out"), help: ArgumentHelp("Where to write the result (.npy).", valueName: "file"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Use at most the first n input rows.", valueName: "n"))
    var limit: Int?

    @Flag(name: .long, help: "Use the raw weights instead of their exponential moving average.")
    var rawWeights = false

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Override a recipe value, such as likelihood.solver.rtol=1e-6 (repeatable).", valueName: "path=value"))
    var overrides: [String] = []

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
    }

    /// The session's options, with `input` and the global seed applied.
    func options(input: String?, global: GlobalOptions) throws -> FlowSession.Options {
        var options = FlowSession.Options(source: source)
        options.checkpoint = checkpoint
        options.input = input
        options.output = output
        options.limit = limit
        options.useRawWeights = rawWeights
        options.overrides = try global.overrides(overrides)
        options.collectives = Ranks.collectives
        return options
    }
}
