/// A top-level key of a recipe: one axis of the composition (STYLE.md §6).
///
/// Component sections (`sde` … `sampler`) are mappings whose `kind` names a registered
/// component; `data`, `training`, `likelihood` and `evaluation` are read by the commands
/// that use them; `seed` is a whole number ≥ 0 (default 0) from which every stream derives.
/// The order of the cases is the order `resolved-recipe.yaml` writes them in.
public enum RecipeSection: String, CaseIterable, Sendable, Hashable, Comparable {
    /// The forward process.
    case sde
    /// What the network predicts (ε, x₀, v, …).
    case parameterization
    /// The training objective.
    case loss
    /// The score network's architecture.
    case network
    /// The parameter update rule.
    case optimizer
    /// The times a sampler visits.
    case timeGrid
    /// The reverse-time integrator.
    case sampler
    /// Classifier-free guidance of a label-conditioned network.
    case guidance
    /// Clipping or dynamic thresholding of x̂₀ while sampling.
    case clipping
    /// Sampling given part of each sample (imputation, inpainting).
    case conditioning
    /// The training or reference data.
    case data
    /// Batch size, step count, learning rate and the like.
    case training
    /// Likelihood evaluation settings.
    case likelihood
    /// Metrics and their settings.
    case evaluation
    /// The root seed.
    case seed

    /// Whether every recipe must have this section; only `sde` is, since every other axis
    /// is about something a process defines. Commands ask for what they use with
    /// `ResolvedRecipe.require(_:for:)`.
    public var isRequired: Bool { self == .sde }

    /// Whether the section names a registered component with `kind`.
    public var isComponent: Bool {
        switch self {
        case .sde, .parameterization, .loss, .network, .optimizer, .timeGrid, .sampler: true
        case .guidance, .clipping, .conditioning, .data, .training, .likelihood, .evaluation, .seed: false
        }
    }

    /// One line on what the section holds, as `scorekit list` and the docs head it.
    public var summary: String {
        switch self {
        case .sde: "forward process x_t = α(t)·x₀ + σ(t)·ε"
        case .parameterization: "what the network predicts (ε, x₀, v, score, …)"
        case .loss: "training objective"
        case .network: "score network architecture"
        case .optimizer: "parameter update rule"
        case .timeGrid: "times a sampler visits"
        case .sampler: "reverse-time integrator"
        case .guidance: "classifier-free guidance scale and classes"
        case .clipping: "clipping or dynamic thresholding of x̂₀ while sampling"
        case .conditioning: "known values and mask for imputation or inpainting"
        case .data: "training or reference data"
        case .training: "batch size, steps, learning rate"
        case .likelihood: "likelihood evaluation"
        case .evaluation: "metrics"
        case .seed: "root seed, a whole number ≥ 0 (default 0)"
        }
    }

    /// The recipe keys, sorted, as messages list them.
    public static var sortedKeys: [String] { allCases.map(\.rawValue).sorted() }

    /// Orders sections as a resolved recipe writes them.
    public static func < (lhs: RecipeSection, rhs: RecipeSection) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}
