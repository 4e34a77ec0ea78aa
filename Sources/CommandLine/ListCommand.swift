import ArgumentParser
import ScoreKitCore
import ScoreKitRunner

/// `scorekit list [family]`: every registered component, its summary and its keys with defaults.
struct ListCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List registered components with their keys and defaults.",
        discussion: "Families: sde, parameterization, loss, network, optimizer, timeGrid, sampler, data."
    )

    @Argument(help: "Only this family, such as sampler or sde.")
    var family: String?

    @Flag(name: .long, help: "Print Markdown tables (as in docs/RECIPES.md).")
    var markdown = false

    @OptionGroup var global: GlobalOptions

    func run(registry: ComponentRegistry) throws {
        global.apply()
        let catalog = ComponentCatalog(registry: registry)
        var families = catalog.families
        if let family {
            do {
                families = [try catalog.family(named: family)]
            } catch {
                StandardError.print(error.description)
                throw ExitCode.failure
            }
        }
        print(markdown ? catalog.markdown(of: families) : catalog.text(of: families), terminator: "")
    }
}
