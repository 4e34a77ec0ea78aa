import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

/// Recipes over the components the `scorekit` command registers.
@Suite("Recipes with the standard components")
struct StandardComponentsRecipeTests {
    static func resolveStandard(_ yaml: String, overrides: [String] = []) throws -> ResolvedRecipe {
        let parsed = try overrides.map { text throws(ConfigurationError) in try ConfigurationOverride(parsing: text) }
        return try Recipe(yaml: yaml, source: recipeFile).applying(parsed).resolve(with: standardRegistry)
    }

    static func error(_ yaml: String) -> RecipeError? {
        do {
            _ = try resolveStandard(yaml)
            return nil
        } catch {
            return error as? RecipeError
        }
    }

    static let recipe = """
        sde:              { kind: variance-preserving }
        parameterization: { kind: epsilon }
        loss:             { kind: denoising-score-matching, weighting: likelihood }
        network:          { kind: mlp, hiddenWidths: [128, 128] }
        optimizer:        { kind: adam }
        timeGrid:         { kind: karras, steps: 18, rho: 7 }
        seed: 7
        """

    @Test("a recipe of every registered family resolves")
    func resolves() throws {
        let resolved = try Self.resolveStandard(Self.recipe)
        #expect(resolved.componentIDs.count == 6)
        #expect(resolved.tree["timeGrid"]?["steps"] == 18)
    }

    @Test("misspelled kind, as STYLE.md §7 shows it")
    func misspelledKind() {
        let error = Self.error(Self.recipe.replacingOccurrences(of: "kind: karras", with: "kind: karas"))
        let known = standardRegistry.ids(of: .timeGrid).map(\.rawValue).joined(separator: ", ")
        #expect(
            error?.description == """
                recipes/test.yaml:6:27: error: unknown timeGrid 'karas'
                  known timeGrids: \(known)
                  did you mean 'karras'?
                """)
    }

    @Test("misspelled key, as STYLE.md §7 shows it")
    func misspelledKey() throws {
        let error = Self.error(Self.recipe.replacingOccurrences(of: "weighting:", with: "weigting:"))
        let entry = try #require(standardRegistry.entries(of: .loss).first { $0.id == "denoising-score-matching" })
        let keys = (entry.defaults.keys ?? []).sorted().joined(separator: ", ")
        #expect(
            error?.description == """
                recipes/test.yaml:3:53: error: unknown key 'weigting' for loss 'denoising-score-matching'
                  valid keys: \(keys); did you mean 'weighting'?
                """)
    }

    @Test("out of range on variance-exploding")
    func outOfRange() {
        let error = Self.error("sde: { kind: variance-exploding, sigmaMin: -1 }\n")
        #expect(
            error?.description
                == "recipes/test.yaml:1:44: error: value -1.0 for 'sde.sigmaMin' is out of range; expected a finite number > 0"
        )
    }

    @Test("ε-prediction on a zero-terminal-SNR chain is rejected, naming the targets that fit")
    func zeroTerminalSNR() {
        let error = Self.error(
            "sde: { kind: ddpm, rescale: zeroTerminalSNR }\nparameterization: { kind: epsilon }\n")
        #expect(error?.location == at(2, 27))
        #expect(
            error?.description.contains("parameterization 'epsilon' is undefined for sde 'ddpm' at t = 1.0") == true)
        #expect(error?.description.contains("Compatible: denoised") == true)
    }

    @Test("a time grid that ends above the process's last time is rejected")
    func timeGridOutsideProcess() {
        let error = Self.error("sde: { kind: variance-preserving }\ntimeGrid: { kind: uniform, endTime: 2 }\n")
        #expect(
            error?.description == """
                recipes/test.yaml:2:19: error: timeGrid 'uniform' does not fit sde 'variance-preserving': \
                time 1 of 1001, 1.001, is outside the process's time range
                  a grid must run strictly downward inside the process's time range [1e-05, 1.0]; its last time may be 0
                """)
    }

    @Test(
        "every time grid and every parameterization, with defaults, fits every process with defaults",
        arguments: standardRegistry.ids(of: .sde))
    func defaultsFit(sde: ComponentID) throws {
        for grid in standardRegistry.ids(of: .timeGrid) {
            for target in standardRegistry.ids(of: .parameterization) {
                // `times` takes a list instead of defaults: lattice timesteps fit every process.
                let list = grid == "times" ? ", timesteps: [999, 500, 0]" : ""
                let yaml =
                    "sde: {kind: \(sde)}\ntimeGrid: {kind: \(grid)\(list)}\nparameterization: {kind: \(target)}\n"
                #expect(throws: Never.self, "\(sde) × \(grid) × \(target)") { try Self.resolveStandard(yaml) }
            }
        }
    }
}
