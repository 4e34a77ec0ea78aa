import ScoreKitCore
import ScoreKitRunner
import Testing

@Suite("ComponentCatalog")
struct ComponentCatalogTests {
    let catalog = ComponentCatalog(registry: fixtureRegistry)

    @Test("recipe families come first, in recipe order, empty ones included")
    func families() {
        #expect(
            catalog.families.map(\.name) == [
                "sde", "parameterization", "loss", "network", "optimizer", "timeGrid", "sampler",
            ])
        #expect(catalog.families[0].entries.map(\.id) == ["fixture-exploding", "fixture-interpolant"])
    }

    @Test("the text listing shows summaries and defaults")
    func text() throws {
        let text = catalog.text(of: [try catalog.family(named: "sde"), try catalog.family(named: "samplers")])
        #expect(
            text == """
                sde: forward process x_t = α(t)·x₀ + σ(t)·ε
                  fixture-exploding    Test process: α = 1, geometric σ
                      sigmaMin  (default: 0.01)
                      sigmaMax  (default: 50.0)
                  fixture-interpolant  Test process: α = 1 − t, σ = t

                sampler: reverse-time integrator
                  (none registered yet)

                """)
    }

    @Test("the Markdown listing is one table per family")
    func markdown() throws {
        var optimizers = try catalog.family(named: "optimizer")
        optimizers.entries = optimizers.entries.filter { $0.id == "adam" }
        let markdown = catalog.markdown(of: [optimizers])
        #expect(
            markdown == """
                ### `optimizer`

                Parameter update rule.

                | `kind` | summary | keys (default) |
                |---|---|---|
                | `adam` | Adam (Kingma & Ba 2015); AdamW with weightDecay > 0 | `beta1: 0.9`<br>`beta2: 0.999`<br>\
                `epsilon: 1e-08`<br>`weightDecay: 0.0` |

                """)
    }

    @Test("an unknown family name suggests the closest")
    func unknownFamily() {
        let error = #expect(throws: RecipeError.self) { try catalog.family(named: "smapler") }
        #expect(
            error?.description == """
                error: unknown component family 'smapler'
                  known families: loss, network, optimizer, parameterization, sampler, sde, timeGrid
                  did you mean 'sampler'?
                """)
    }
}
