import ArgumentParser

/// `scorekit`: score-based generative modelling from YAML recipes.
@main
struct ScoreKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scorekit",
        abstract: "Score-based generative modelling from YAML recipes.",
        discussion: """
            A recipe composes a forward process, a prediction target, a loss, a network, an optimizer, \
            a time grid and a sampler; `scorekit list` shows every registered component and its keys. \
            Any recipe value can be overridden with --set path=value, such as --set sampler.churn=0.2.
            """,
        subcommands: [
            ValidateCommand.self, ListCommand.self, TrainCommand.self, SampleCommand.self, EvaluateCommand.self,
            PlotCommand.self, LikelihoodCommand.self, EncodeCommand.self, DecodeCommand.self,
        ]
    )

    /// Lets the global options stand before the subcommand too: `scorekit --threads 2 validate r.yaml`.
    @OptionGroup var global: GlobalOptions
}
