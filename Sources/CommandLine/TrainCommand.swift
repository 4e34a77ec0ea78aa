import ArgumentParser
import Foundation
import ScoreKitCore
import ScoreKitRunner

/// `scorekit train RECIPE`: trains the recipe's network into a run folder.
struct TrainCommand: RegistryCommand, DistributedCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a recipe's network; write logs, metrics and checkpoints to a run folder.",
        discussion: """
            Writes the run folder (--out, default runs/<recipe-name>): resolved-recipe.yaml, train.log, metrics.jsonl, \
            checkpoint.safetensors (the latest state), checkpoint.previous.safetensors (the one before) and \
            checkpoint-final.safetensors. A progress bar with the rate, the time left and the loss goes to \
            standard error unless --quiet. Training is reproducible bit for bit from the recipe's seed; \
            --resume continues a run exactly where its last checkpoint left it (RECIPE may be the run \
            folder itself), without rewriting its resolved-recipe.yaml. A run that diverges (a non-finite \
            loss, gradient or optimizer state, or a loss above training.divergenceFactor × its running \
            median) stops with status 1 and saves nothing more.
            """
    )

    @Argument(help: "The recipe file (YAML), or with --resume the run folder.")
    var recipe: String

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Override a recipe value, such as training.batchSize=256 (repeatable).", valueName: "path=value"))
    var overrides: [String] = []

    @Option(
        name: .customLong("out"), help: ArgumentHelp("The run folder (default: runs/<recipe-name>).", valueName: "dir"))
    var outputFolder: String?

    @Flag(name: .long, help: "Continue the run in the folder from its checkpoint.safetensors.")
    var resume = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The run's length in steps (as --set training.steps=N); with --resume, the new total, not more steps.",
            valueName: "n"))
    var steps: Int?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1, got \(steps)") }
    }

    func run(registry: ComponentRegistry) throws {
        global.apply()
        var options = TrainingSession.Options(recipePath: recipe)
        options.overrides = try global.overrides(overrides)
        options.outputFolder = outputFolder
        options.resume = resume
        options.steps = steps
        options.logger = global.logger
        options.collectives = Ranks.collectives
        let session = TrainingSession(options: options, registry: registry)
        var progress = ProgressBar(quiet: global.quiet)
        do {
            let summary = try session.run { progress.handle($0) }
            if !global.quiet { for picture in summary.picturePaths { print("wrote \(picture)") } }
        } catch {
            progress.finishLine()
            StandardError.print(error.description)
            throw ExitCode.failure
        }
    }
}
