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
///
/// Two levels: `rules` refuse a recipe that would fail (an error: `validate`'s promise is that
/// what it accepts runs), `notices` flag a combination that runs but is known to be poor (a
/// `RecipeNotice`, which `validate` prints and which never stops a run).
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

    /// One check that flags a combination that runs but is known to be poor.
    public struct NoticeRule: Sendable {
        /// A short kebab-case name, for listings and tests.
        public var name: String
        /// The check: `nil` if the recipe raises no notice.
        public var check: @Sendable (ResolvedRecipe, ComponentRegistry) -> RecipeNotice?

        /// A notice rule named `name` running `check`.
        public init(
            name: String, check: @escaping @Sendable (ResolvedRecipe, ComponentRegistry) -> RecipeNotice?
        ) {
            self.name = name
            self.check = check
        }
    }

    /// The rules, run in order; every failure is reported.
    public var rules: [Rule]
    /// The notice rules, run in order by `notices(for:registry:)`.
    public var noticeRules: [NoticeRule]

    /// Checks `rules`, and `noticeRules` for notices.
    public init(rules: [Rule], noticeRules: [NoticeRule] = []) {
        self.rules = rules
        self.noticeRules = noticeRules
    }

    /// The rules every recipe is checked against.
    public static var standard: RecipeCompatibility {
        RecipeCompatibility(
            rules: [
                .preconditioningDefined, .timeGridWithinProcess, .evaluationHasHeldOutData, .imageNetworkHasImageData,
                .explicitScoreMatchingHasTarget, .logDensitySamplerHasLogDensity, .samplerSettingsFitGrid,
                .singleNoiseLevelSampler, .conditioningFitsRun, .classifierTraining, .classifierGuidanceRun,
                .consistencyFitsRecipe, .consistencyTeacherFits,
            ],
            noticeRules: [.gridReachesLowNoise])
    }

    /// No rules.
    public static var none: RecipeCompatibility { RecipeCompatibility(rules: []) }

    /// The errors of every rule `recipe` fails, in rule order.
    public func check(_ recipe: ResolvedRecipe, registry: ComponentRegistry) -> [RecipeError] {
        rules.compactMap { $0.check(recipe, registry) }
    }

    /// The notices of every notice rule `recipe` raises, in rule order.
    public func notices(for recipe: ResolvedRecipe, registry: ComponentRegistry) -> [RecipeNotice] {
        noticeRules.compactMap { $0.check(recipe, registry) }
    }
}

/// A combination that runs but is known to be poor: said by `scorekit validate` (as compilers
/// say warnings), never an error.
///
/// ```
/// recipes/r.yaml:6:20: notice: timeGrid 'uniform' spends 1 of 18 steps below noise level 0.4 on sde 'edm'
///   hint: …
/// ```
public struct RecipeNotice: Sendable, Equatable, CustomStringConvertible {
    /// The notice rule that raised it.
    public var rule: String
    /// What is poor and why.
    public var headline: String
    /// What to do instead.
    public var notes: [String]
    /// The component that should change, when known.
    public var location: SourceLocation?

    /// A notice of `rule`.
    public init(rule: String, headline: String, notes: [String], location: SourceLocation?) {
        self.rule = rule
        self.headline = headline
        self.notes = notes
        self.location = location
    }

    /// `file:line:column: notice: what`, then indented notes.
    public var description: String {
        let prefix = location.map { "\($0): " } ?? ""
        return ([prefix + "notice: " + headline] + notes.map { "  " + $0 }).joined(separator: "\n")
    }
}
