import ArgumentParser
import ScoreKitCore
import ScoreKitRunner

/// A subcommand that composes components: it runs with the registry of the executable that
/// parsed it (`ScoreKitCommand.main(registry:)`), so components registered by someone else's
/// module resolve in every recipe section, nested ones included.
protocol RegistryCommand: ParsableCommand {
    func run(registry: ComponentRegistry) throws
}

extension RegistryCommand {
    /// Run with the standard components, when parsed through `ParsableCommand.main()`.
    func run() throws { try run(registry: .standard()) }
}
