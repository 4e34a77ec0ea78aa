import ArgumentParser
import ScoreKitCore
import ScoreKitRunner

/// `scorekit evaluate RUN`: sample-quality metrics of generated samples against the recipe's data.
struct EvaluateCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Compare samples with the recipe's held-out data; print a table and write metrics JSON.",
        discussion: """
            SOURCE is a run folder (its samples.npy is evaluated, into evaluation.json) or a recipe file \
            with --samples. Metrics: energy distance, MMD² with an RBF kernel (bandwidth from the recipe's \
            evaluation.bandwidth, else the median distance), sliced Wasserstein-2; for ring, grid and \
            gaussian-mixture data also the share of each component, the off-manifold fraction and the \
            mean log-density under the exact mixture. Settings: the recipe's evaluation section \
            (pointLimit, bandwidth, projectionCount, offManifoldRadius), overridable with --set.
            """
    )

    @Argument(help: "A run folder, or a recipe file (then give --samples).")
    var source: String

    @Option(name: .long, help: ArgumentHelp("The samples to evaluate (.npy, [N, d]).", valueName: "file"))
    var samples: String?

    @Option(
        name: .customLong("out"),
        help: ArgumentHelp("Where to write the metrics (default: RUN/evaluation.json).", valueName: "file"))
    var output: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Override a recipe value, such as evaluation.bandwidth=0.5 (repeatable).", valueName: "path=value"))
    var overrides: [String] = []

    @OptionGroup var global: GlobalOptions

    func run(registry: ComponentRegistry) throws {
        global.apply()
        var options = EvaluationSession.Options(source: source)
        options.samples = samples
        options.output = output
        options.logger = global.logger
        options.overrides = try global.overrides(overrides)
        do {
            let summary = try EvaluationSession(options: options, registry: registry).run()
            if !global.quiet { print(summary.report.table, terminator: "") }
            if !global.quiet { print("wrote \(summary.outputPath)") }
        } catch {
            StandardError.print(error.description)
            throw ExitCode.failure
        }
    }
}
