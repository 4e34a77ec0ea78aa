import ScoreKitCore
import ScoreKitLosses
import ScoreKitNetworks
import ScoreKitSDEs

extension ComponentRegistry {
    /// The composition root: every component the `scorekit` command knows, registered once
    /// at start-up (STYLE.md §5). A module with components adds its one `register…()` call here.
    static func standard() -> ComponentRegistry {
        var registry = ComponentRegistry()
        registry.registerSDEs()
        registry.registerLosses()
        registry.registerNetworks()
        // SAMPLERS: add `registry.registerSamplers()` here (and `import ScoreKitSamplers`)
        // once ScoreKitSamplers has it.
        return registry
    }
}
