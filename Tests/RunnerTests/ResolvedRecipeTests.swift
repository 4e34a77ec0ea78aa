import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

@Suite("ResolvedRecipe")
struct ResolvedRecipeTests {
    @Test("the resolved tree has every section in order, kind first, defaults filled, seed applied")
    func resolvedTree() throws {
        let resolved = try resolve(
            "seed: 3\nloss: { kind: denoising-score-matching }\nsde: { kind: fixture-exploding }\n",
            overrides: ["seed=5"])
        #expect(resolved.tree.keys == ["sde", "loss", "seed"])
        #expect(resolved.tree["sde"] == ["kind": "fixture-exploding", "sigmaMin": 0.01, "sigmaMax": 50.0])
        #expect(resolved.tree["loss"]?.keys?.first == "kind")
        #expect(resolved.tree["loss"]?["levelCount"] == 10)
        #expect(resolved.tree["seed"] == 5)
    }

    @Test("without a seed the resolved recipe records seed 0")
    func defaultSeed() throws {
        let resolved = try resolve("sde: { kind: fixture-exploding }\n")
        #expect(resolved.seed == 0)
        #expect(resolved.tree["seed"] == 0)
    }

    @Test("resolved-recipe.yaml reads back to the same tree, and resolves to itself")
    func roundTrip() throws {
        let resolved = try resolve(
            RecipeTests.good, overrides: ["likelihood.divergence=hutchinson", "likelihood.solver.rtol=1e-4"])
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try resolved.writeResolvedRecipe(inFolder: folder + "/run")
        #expect(path.hasSuffix("/run/resolved-recipe.yaml"))
        let reread = try YAMLLoader.load(contentsOf: path)
        #expect(reread == resolved.tree)
        let again = try Recipe.load(contentsOf: path).resolve(with: fixtureRegistry)
        #expect(again.tree == resolved.tree)
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("# Resolved from recipes/test.yaml"))
    }

    @Test("the YAML of a resolved recipe")
    func yaml() throws {
        let resolved = try resolve("sde: { kind: fixture-exploding, sigmaMax: 80 }\nnetwork: { kind: mlp }\n")
        #expect(
            resolved.yaml == """
                # Resolved from recipes/test.yaml: defaults filled, overrides and seed applied.
                sde:
                  kind: fixture-exploding
                  sigmaMin: 0.01
                  sigmaMax: 80.0
                network:
                  kind: mlp
                  hiddenWidths: [256, 256, 256]
                  embeddingWidth: 32
                  conditioning: logNoiseLevel
                  zeroOutput: false
                seed: 0

                """)
    }

    @Test("require names the missing section and what needs it")
    func require() throws {
        let resolved = try resolve("sde: { kind: fixture-exploding }\nloss: { kind: denoising-score-matching }\n")
        _ = try resolved.require(\.loss, .loss, for: "training")
        let error = #expect(throws: RecipeError.self) { try resolved.require(\.optimizer, .optimizer, for: "training") }
        #expect(
            error?.description == """
                error: the recipe has no 'optimizer' section
                  training needs one, such as optimizer: { kind: … }
                """)
    }

    @Test("an unwritable destination is an error naming it")
    func unwritable() throws {
        let resolved = try resolve("sde: { kind: fixture-exploding }\n")
        #expect(throws: RecipeError.self) { try resolved.write(to: "/proc/scorekit/resolved-recipe.yaml") }
    }
}
