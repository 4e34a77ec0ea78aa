import ScoreKitCore
import ScoreKitLosses
import ScoreKitSamplers

// Rules that keep `validate`'s promise "what validates, runs": each refuses, at validate, a
// combination that resolves but would fail in `train` or `sample`.

extension RecipeCompatibility.Rule {
    /// A loss that regresses on a known score (`TargetScoreLoss`, `explicit-score-matching`)
    /// trains only where the Runner can attach one: the exact score of mixture data
    /// (`ExactMixtureSource`: `ring`, `grid`, `gaussian-mixture`).
    public static var explicitScoreMatchingHasTarget: Self {
        Self(name: "explicit-score-matching-has-target") { recipe, registry in
            guard let data = recipe.dataSpecification else { return nil }
            return missingTargetScore(recipe: recipe, dataID: data.id, registry: registry)
        }
    }

    /// The error for a target-score loss whose data (`dataID`) has no exact score, or `nil` when
    /// the loss needs none or the data has one. With a registry, the note lists the data sets
    /// that have one and the losses that need none.
    static func missingTargetScore(
        recipe: ResolvedRecipe, dataID: ComponentID, registry: ComponentRegistry? = nil
    ) -> RecipeError? {
        guard let loss = recipe.loss as? any TargetScoreLoss, loss.target == nil else { return nil }
        if let source = recipe.dataSpecification?.source, source is any ExactMixtureSource { return nil }
        let name = recipe.componentIDs[.loss].map { " '\($0)'" } ?? ""
        var notes = [
            "it regresses on the exact score ∇log p_t, which ScoreKit knows only for Gaussian-mixture data"
        ]
        if let registry {
            let mixtures = registry.ids(of: .data).filter { id in
                guard let made = try? registry.make(.data, from: ["kind": .string(id.rawValue)]) else { return false }
                return made.source is any ExactMixtureSource
            }
            let others = registry.ids(of: .loss).filter { id in
                guard let made = try? registry.make(.loss, from: ["kind": .string(id.rawValue)]) else { return false }
                // Score losses only: classifiers and consistency functions are other kinds of model.
                return !(made is any TargetScoreLoss) && !(made is any ClassificationLoss)
                    && !(made is ConsistencyDistillation) && !(made is ConsistencyTraining)
            }
            notes.append("data with an exact score: " + mixtures.map(\.rawValue).joined(separator: ", "))
            notes.append("losses that need only samples: " + others.map(\.rawValue).joined(separator: ", "))
        }
        return .incompatible(
            headline: "loss\(name) needs a known target score, and data set '\(dataID)' has none",
            notes: notes,
            location: recipe.written["loss"]?["kind"]?.location ?? recipe.written["loss"]?.location)
    }

    /// A sampler that needs log p_t (`LogDensitySampler`, `mala`) runs only on a network whose
    /// models know it (`LogDensityArchitecture`: `energy`, `exact-mixture`), and only on the model
    /// itself: guidance and clipping change x̂₀ and have no log-density.
    public static var logDensitySamplerHasLogDensity: Self {
        Self(name: "log-density-sampler-has-log-density") { recipe, registry in
            guard let network = recipe.network,
                let (path, _) = samplers(of: recipe).first(where: { $0.sampler is any LogDensitySampler })
            else { return nil }
            guard !(network is any LogDensityArchitecture) else {
                return changedDensity(recipe: recipe, samplerPath: path)
            }
            let section = recipe.written.value(atPath: path)
            let networkName = recipe.componentIDs[.network].map { " '\($0)'" } ?? ""
            let networks = registry.ids(of: .network).filter { id in
                guard let made = try? registry.make(.network, from: ["kind": .string(id.rawValue)]) else {
                    return false
                }
                return made is any LogDensityArchitecture
            }
            let scoreOnly = registry.ids(of: .sampler).filter { id in
                guard let made = try? registry.make(.sampler, from: ["kind": .string(id.rawValue)]) else {
                    return false
                }
                return !(made is any LogDensitySampler) && !(made is ConsistencySampler)
            }
            let sampler = samplerName(path: path, recipe: recipe)
            return .incompatible(
                headline: "\(sampler) needs the log-density log p_t, and network\(networkName) gives only a score",
                notes: [
                    "networks with a log-density: "
                        + (networks.isEmpty ? "none registered" : networks.map(\.rawValue).joined(separator: ", ")),
                    "or a sampler that needs only the score, such as "
                        + scoreOnly.prefix(4).map(\.rawValue).joined(separator: ", "),
                ],
                location: section?["kind"]?.location ?? section?.location ?? recipe.written["sampler"]?.location)
        }
    }

    /// The error for a log-density sampler whose process a `guidance` or `clipping` section
    /// changes (its x̂₀ is no longer the model's, and no log-density matches it), or `nil`.
    private static func changedDensity(recipe: ResolvedRecipe, samplerPath path: String) -> RecipeError? {
        let section: (key: String, what: String)
        if recipe.guidanceSettings != nil {
            section =
                recipe.guidanceSettings?.kind == .classifier
                ? ("guidance", "classifier guidance adds a classifier's gradient to x̂₀")
                : ("guidance", "classifier-free guidance mixes two models' x̂₀")
        } else if recipe.clipping != nil {
            section = ("clipping", "clipping changes x̂₀")
        } else {
            return nil
        }
        return .incompatible(
            headline: "\(samplerName(path: path, recipe: recipe)) needs the model's own log-density, and the "
                + "recipe's '\(section.key)' section changes the model: \(section.what), and no log-density matches it",
            notes: ["remove the '\(section.key)' section, or use a sampler that needs only the score"],
            location: recipe.written[section.key]?.location)
    }

    /// The recipe's sampler and the samplers inside it (`CompositeSampler`), each with the
    /// dotted path of its section (`sampler`, `sampler.predictor`).
    static func samplers(of recipe: ResolvedRecipe) -> [(path: String, sampler: any Sampler)] {
        guard let sampler = recipe.sampler else { return [] }
        var found: [(path: String, sampler: any Sampler)] = []
        var pending: [(path: String, sampler: any Sampler)] = [("sampler", sampler)]
        while let next = pending.popLast() {
            found.append(next)
            if let composite = next.sampler as? any CompositeSampler {
                pending += composite.nestedSamplers.reversed().map { (next.path + "." + $0.key, $0.sampler) }
            }
        }
        return found
    }

    /// A sampler whose settings have a limit for the process and the grid (`GridCheckedSampler`,
    /// such as annealed Langevin's step size against the smallest noise level) must keep it.
    public static var samplerSettingsFitGrid: Self {
        Self(name: "sampler-settings-fit-grid") { recipe, _ in
            guard let grid = recipe.timeGrid else { return nil }
            let times = grid.times(for: recipe.sde)
            for (path, sampler) in samplers(of: recipe) {
                guard let checked = sampler as? any GridCheckedSampler,
                    let problem = checked.settingProblem(times: times, sde: recipe.sde)
                else { continue }
                return settingError(problem, path: path, recipe: recipe)
            }
            return nil
        }
    }

    /// The error for `problem` of the sampler whose section is at `path`.
    private static func settingError(
        _ problem: SamplerSettingProblem, path: String, recipe: ResolvedRecipe
    )
        -> RecipeError
    {
        let section = recipe.written.value(atPath: path)
        let sdeName = recipe.componentIDs[.sde].map { " on sde '\($0)'" } ?? ""
        let gridName = recipe.componentIDs[.timeGrid].map { " with timeGrid '\($0)'" } ?? ""
        return .incompatible(
            headline: "\(samplerName(path: path, recipe: recipe))\(sdeName)\(gridName): \(problem.problem)",
            notes: [problem.hint],
            location: section?[problem.key]?.location ?? section?["kind"]?.location ?? section?.location
                ?? recipe.written["sampler"]?.location)
    }

    /// "sampler 'mala'", or "sampler.predictor (a sampler) 'mala'" for one inside another.
    private static func samplerName(path: String, recipe: ResolvedRecipe) -> String {
        let sampler = samplers(of: recipe).first { $0.path == path }?.sampler
        let id = (sampler as? any RegisteredComponent).map { type(of: $0).id.rawValue }
        let role = path == "sampler" ? "sampler" : "\(path) (a sampler)"
        return role + (id.map { " '\($0)'" } ?? "")
    }
}
