import ScoreKitCore
import ScoreKitRunner
import Testing

@Suite("RecipeCompatibility")
struct RecipeCompatibilityTests {
    @Test("a parameterization that divides by a vanishing α is rejected, naming the ones that fit")
    func preconditioningUndefined() {
        let error = resolutionError("sde: { kind: fixture-interpolant }\nparameterization: { kind: fixture-epsilon }\n")
        #expect(error?.location == at(2, 27))
        #expect(
            error?.description == """
                recipes/test.yaml:2:27: error: parameterization 'fixture-epsilon' is undefined for sde \
                'fixture-interpolant' at t = 1.0: c_skip = inf
                  its preconditioning divides by a scale that vanishes there. Compatible: fixture-denoised
                """)
    }

    @Test("defined everywhere, or without a parameterization, passes")
    func preconditioningDefined() throws {
        _ = try resolve("sde: { kind: fixture-interpolant }\nparameterization: { kind: fixture-denoised }\n")
        _ = try resolve("sde: { kind: fixture-exploding }\nparameterization: { kind: fixture-epsilon }\n")
        _ = try resolve("sde: { kind: fixture-interpolant }\n")
    }

    @Test("rules can be replaced; every failing rule is reported")
    func customRules() throws {
        let recipe = try Recipe(yaml: "sde: { kind: fixture-exploding }\n", source: recipeFile)
        _ = try recipe.resolve(with: fixtureRegistry, compatibility: .none)
        let failing = RecipeCompatibility.Rule(name: "always") { _, _ in
            .incompatible(headline: "no", notes: [], location: nil)
        }
        let error = #expect(throws: RecipeError.self) {
            try recipe.resolve(with: fixtureRegistry, compatibility: RecipeCompatibility(rules: [failing, failing]))
        }
        #expect(error?.errors.count == 2)
        #expect(error?.description == "error: no\nerror: no")
    }
}
