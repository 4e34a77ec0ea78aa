public import ArgumentParser
public import ScoreKitCore

/// `scorekit`: score-based generative modelling from YAML recipes, as a command any executable
/// can run with its own components.
///
/// The `scorekit` executable is `ScoreKitCommand.main(registry: .standard())`; an executable
/// that adds components gets every subcommand, option, picture and error format with them:
/// ```swift
/// import MySamplers
/// import ScoreKitCommandLine
/// import ScoreKitRunner
///
/// ScoreKitCommand.main(registry: .standard().adding { $0.registerMySamplers() })
/// ```
/// Run folders record the components they were made with (`resolved-recipe.yaml`); sampling,
/// plotting or evaluating one needs an executable that registers the same components.
public struct ScoreKitCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "scorekit",
        abstract: "Score-based generative modelling from YAML recipes.",
        discussion: """
            A recipe composes a forward process, a prediction target, a loss, a network, an optimizer, \
            a time grid and a sampler; `scorekit list` shows every registered component and its keys. \
            Any recipe value can be overridden with --set path=value, such as --set sampler.churn=0.2.
            """,
        subcommands: [
            ValidateCommand.self, ListCommand.self, TrainCommand.self, SampleCommand.self, EvaluateCommand.self,
            PlotCommand.self, LikelihoodCommand.self, EncodeCommand.self, DecodeCommand.self, RecipeCommand.self,
            NoiseCommand.self, InterpolateCommand.self,
        ]
    )

    /// Lets the global options stand before the subcommand too: `scorekit --threads 2 validate r.yaml`.
    @OptionGroup var global: GlobalOptions

    public init() {}

    /// Parses `arguments` (default: the process's), runs the subcommand with `registry`, and
    /// exits: with 0 on success, else with the subcommand's code after printing its error.
    ///
    /// An interrupt (SIGINT, SIGTERM, SIGHUP) removes the temporary file of a write in progress
    /// and exits with 128 + the signal; the file being replaced stays as it was.
    ///
    /// Under `mpirun`, every rank runs this: `train`, `sample`, `likelihood`, `encode` and `decode`
    /// share their work across the ranks, other commands run on rank 0 alone; an error on any
    /// rank ends them all with one message from rank 0 (docs/DISTRIBUTED.md).
    public static func main(registry: ComponentRegistry, arguments: [String]? = nil) -> Never {
        TemporaryFiles.removeOnSignals()
        Ranks.start()
        Ranks.requireSameArguments(arguments ?? Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            if !Ranks.isRoot, !(command is any DistributedCommand) {
                // Rank 0 runs it; this rank waits for it in `finish()`.
            } else if let composing = command as? any RegistryCommand {
                try composing.run(registry: registry)
            } else {
                try command.run()
            }
        } catch {
            Ranks.fail(error)
        }
        Ranks.finish()
    }
}
