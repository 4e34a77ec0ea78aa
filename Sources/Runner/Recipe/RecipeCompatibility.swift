public import ScoreKitCore

/// Cross-axis checks, run once when a recipe is resolved (STYLE.md §1.2): rules that look at
/// several components together, through their protocols only, never their concrete types.
///
/// ```swift
/// var compatibility = RecipeCompatibility.standard
/// compatibility.rules.append(RecipeCompatibility.Rule(name: "my-rule") { recipe, registry in nil })
/// ```
/// A rule returns `nil` when the recipe passes, else the error to report. Rules that need a
/// section the recipe lacks pass.
public struct RecipeCompatibility: Sendable {
    /// One check over a resolved recipe.
    public struct Rule: Sendable {
        /// A short kebab-case name, for listings and tests.
        public var name: String
        /// The check: `nil` if the recipe passes. The registry lets a rule list what would fit.
        public var check: @Sendable (ResolvedRecipe, ComponentRegistry) -> RecipeError?

        /// A rule named `name` running `check`.
        public init(name: String, check: @escaping @Sendable (ResolvedRecipe, ComponentRegistry) -> RecipeError?) {
            self.name = name
            self.check = check
        }
    }

    /// The rules, run in order; every failure is reported.
    public var rules: [Rule]

    /// Checks `rules`.
    public init(rules: [Rule]) {
        self.rules = rules
    }

    /// The rules every recipe is checked against.
    public static var standard: RecipeCompatibility {
        RecipeCompatibility(rules: [
            .preconditioningDefined, .timeGridWithinProcess, .evaluationHasHeldOutData, .imageNetworkHasImageData,
        ])
    }

    /// No rules.
    public static var none: RecipeCompatibility { RecipeCompatibility(rules: []) }

    /// The errors of every rule `recipe` fails, in rule order.
    public func check(_ recipe: ResolvedRecipe, registry: ComponentRegistry) -> [RecipeError] {
        rules.compactMap { $0.check(recipe, registry) }
    }
}
