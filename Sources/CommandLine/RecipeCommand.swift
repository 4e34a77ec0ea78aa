import ArgumentParser
import ScoreKitRunner

/// `scorekit recipe …`: commands that write recipes.
struct RecipeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recipe",
        abstract: "Write recipe sections from other libraries' configs.",
        subcommands: [FromDiffusersCommand.self]
    )
}

/// `scorekit recipe from-diffusers CONFIG`: the recipe sections that sample as a diffusers scheduler does.
struct FromDiffusersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "from-diffusers",
        abstract: "Turn a diffusers scheduler config into ScoreKit recipe sections.",
        discussion: """
            CONFIG is a diffusers scheduler_config.json (DDPMScheduler, DDIMScheduler, \
            DPMSolverMultistepScheduler, EulerDiscreteScheduler, EulerAncestralDiscreteScheduler, \
            HeunDiscreteScheduler or UniPCMultistepScheduler). Prints the sde, parameterization, \
            timeGrid and sampler sections (and clipping, when the config clips x̂₀) as YAML; add \
            network and data to make a recipe. A key whose value ScoreKit cannot reproduce, or that \
            it does not know, is refused by name (file:line:column: error: key '…' = …), all at once, \
            and nothing is written. The number of steps is not in a config: give it with --steps.
            """
    )

    @Argument(help: ArgumentHelp("The scheduler config (JSON).", valueName: "config"))
    var config: String

    @Option(name: .long, help: "The number of inference steps (num_inference_steps).")
    var steps = 50

    @Option(name: .long, help: "DDIM's eta (DDIMScheduler only; default 0, deterministic).")
    var eta: Double?

    @Option(name: .customLong("out"), help: ArgumentHelp("Write the sections to this file instead.", valueName: "file"))
    var output: String?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        global.apply()
        do {
            let converted = try DiffusersSchedulerConfig.load(
                contentsOf: config, options: .init(steps: steps, eta: eta))
            if !global.quiet {
                for notice in converted.notices { StandardError.print("\(config): notice: \(notice)") }
            }
            if let output {
                try converted.write(to: output, source: config)
                if !global.quiet { StandardError.print("wrote \(output)") }
            } else {
                print(converted.yaml(source: config), terminator: "")
            }
        } catch {
            StandardError.print(error.description)
            throw ExitCode.failure
        }
    }
}
