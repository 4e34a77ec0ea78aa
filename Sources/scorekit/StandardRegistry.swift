import ScoreKitCore
import ScoreKitLosses
import ScoreKitNetworks
import ScoreKitRunner
import ScoreKitSDEs
import ScoreKitSamplers

extension ComponentRegistry {
    /// The composition root: every component the `scorekit` command knows, registered once
    /// at start-up (STYLE.md §5). A module with components adds its one `register…()` call here.
    static func standard() -> ComponentRegistry {
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
