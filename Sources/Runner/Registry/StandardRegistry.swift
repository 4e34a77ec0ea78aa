public import ScoreKitCore
import ScoreKitLosses
import ScoreKitNetworks
import ScoreKitSDEs
import ScoreKitSamplers

extension ComponentRegistry {
    /// Every component ScoreKit ships: its forward processes, prediction targets, time grids,
    /// losses, networks, optimizers, data sets, exact models, samplers and correctors.
    ///
    /// The composition root of the `scorekit` command, of the benchmarks and of the tests
    /// (STYLE.md §5); a module with components adds its one `register…()` call here. Someone
    /// else's executable adds its own components on top:
    /// ```swift
    /// ScoreKitCommand.main(registry: .standard().adding { $0.register(sampler: MySampler.self) })
    /// ```
    public static func standard() -> ComponentRegistry {
        var registry = ComponentRegistry()
        registry.registerSDEs()
        registry.registerLosses()
        registry.registerNetworks()
        registry.registerDataSets()
        registry.registerExactModels()
        registry.registerSamplers()
        return registry
    }
}
