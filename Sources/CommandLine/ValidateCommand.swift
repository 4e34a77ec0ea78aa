import ArgumentParser
import ScoreKitCore
import ScoreKitRunner

/// `scorekit validate RECIPE...`: builds every component of each recipe without computing.
struct ValidateCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check recipes: build every component and check that they fit together.",
        discussion: """
            Prints "ok: <file>" for each recipe that resolves, and its errors otherwise (to standard \
            error, as file:line:column: error: …). Exits with 1 if any recipe has errors. A recipe that \
            resolves but combines components known to sample poorly (such as a grid uniform in t on \
            EDM's process) gets a notice (file:line:column: notice: …) on standard error; notices never \
            fail validation.
            """
    )

    @Argument(help: "Recipe files (YAML).")
    var recipes: [String]

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("Override a recipe value, such as sampler.churn=0.2 (repeatable).", valueName: "path=value"))
    var overrides: [String] = []

    @Flag(name: .customLong("print-resolved"), help: "Print each resolved recipe (defaults filled) as YAML.")
    var printResolved = false

    @OptionGroup var global: GlobalOptions

    func run(registry: ComponentRegistry) throws {
        global.apply()
        let parsed = try global.overrides(overrides)
        var failed = false
        for path in recipes {
            do {
                let resolved = try Recipe.load(contentsOf: path, overrides: parsed).resolve(with: registry)
                if !global.quiet {
                    for notice in RecipeCompatibility.standard.notices(for: resolved, registry: registry) {
                        StandardError.print(notice.description)
                    }
                    print("ok: \(path)")
                }
                if printResolved { print(resolved.yaml, terminator: "") }
            } catch {
                StandardError.print(error.description)
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }
}
