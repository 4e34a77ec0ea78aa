import ScoreKitCore
import ScoreKitSamplers

/// Makes a recipe's sections through the registry, gathering every section's error.
struct RecipeBuilder {
    let registry: ComponentRegistry
    let sections: [RecipeSection: ConfigurationValue.Entry]
    private(set) var errors: [RecipeError] = []
    /// Each section as resolved: `kind` and every key with defaults filled, no locations.
    private var resolvedSections: [RecipeSection: ConfigurationValue] = [:]
    private var ids: [RecipeSection: ComponentID] = [:]

    init(registry: ComponentRegistry, sections: [RecipeSection: ConfigurationValue.Entry]) {
        self.registry = registry
        self.sections = sections
    }

    /// The resolved recipe, or `nil` with `errors` saying why.
    mutating func build(source: String, written: ConfigurationValue) -> ResolvedRecipe? {
        let sde = make(.sde, .sde)
        let parameterization = make(.parameterization, .parameterization)
        let loss = make(.loss, .loss)
        let network = make(.network, .network)
        let optimizer = make(.optimizer, .optimizer)
        let timeGrid = make(.timeGrid, .timeGrid)
        let sampler = make(.sampler, .sampler)
        let guidance = plain(.guidance).flatMap { decode(GuidanceSettings.self, $0, .guidance) }
        let clipping = plain(.clipping).flatMap { decode(DenoisedClipping.self, $0, .clipping) }
        let conditioning = plain(.conditioning).flatMap { decode(ConditioningSettings.self, $0, .conditioning) }
        let data = plain(.data)
        let dataSpecification = data != nil && !registry.ids(of: .data).isEmpty ? make(.data, .data) : nil
        let training = plain(.training)
        let trainingConfiguration = training.flatMap { decode(TrainingConfiguration.self, $0, .training) }
        let likelihood = plain(.likelihood)
        let likelihoodSettings = likelihood.flatMap { decode(LikelihoodSettings.self, $0, .likelihood) }
        let evaluation = plain(.evaluation)
        let evaluationConfiguration = evaluation.flatMap { decode(EvaluationConfiguration.self, $0, .evaluation) }
        let seed = self.seed()
        guard errors.isEmpty, let sde, let seed else { return nil }
        resolvedSections[.seed] = .integer(Int(seed))
        let tree = ConfigurationValue.mapping(
            RecipeSection.allCases.compactMap { section in
                resolvedSections[section].map { ConfigurationValue.Entry(key: section.rawValue, value: $0) }
            })
        var resolved = ResolvedRecipe(
            source: source, sde: sde, parameterization: parameterization, loss: loss, network: network,
            optimizer: optimizer, timeGrid: timeGrid, sampler: sampler, data: data, training: training,
            likelihood: likelihood, evaluation: evaluation, seed: seed, componentIDs: ids, tree: tree,
            written: written)
        resolved.dataSpecification = dataSpecification
        resolved.trainingConfiguration = trainingConfiguration
        resolved.evaluationConfiguration = evaluationConfiguration
        resolved.likelihoodSettings = likelihoodSettings
        resolved.guidanceSettings = guidance
        resolved.clipping = clipping
        resolved.conditioning = conditioning
        return resolved
    }

    /// A plain section (`training`, `evaluation`, `likelihood`) decoded strictly, with defaults filled into
    /// the resolved tree.
    private mutating func decode<C: ComponentConfiguration>(
        _ type: C.Type, _ value: ConfigurationValue, _ section: RecipeSection
    ) -> C? {
        do {
            let configuration = try C.decode(from: value, path: section.rawValue)
            resolvedSections[section] = try ConfigurationEncoder().encode(configuration)
            return configuration
        } catch {
            errors.append(.configuration(error))
            return nil
        }
    }

    /// The component in `section`, if the recipe has it and it resolves.
    private mutating func make<Product>(_ kind: ComponentKind<Product>, _ section: RecipeSection) -> Product? {
        guard let entry = sections[section] else { return nil }
        do {
            let resolved = try registry.resolve(kind, from: entry.value, path: section.rawValue)
            resolvedSections[section] = resolved.configuration
            ids[section] = resolved.id
            return resolved.product
        } catch {
            errors.append(.configuration(error))
            return nil
        }
    }

    /// A section no registered family reads yet: a mapping (`null` is an empty one), kept as written.
    private mutating func plain(_ section: RecipeSection) -> ConfigurationValue? {
        guard let entry = sections[section] else { return nil }
        var value = entry.value
        if value.isNull { value = .mapping([], at: value.location ?? entry.keyLocation) }
        guard value.entries != nil else {
            errors.append(
                .configuration(
                    .typeMismatch(
                        path: section.rawValue, expected: "a mapping", found: Recipe.describe(value),
                        location: value.location ?? entry.keyLocation)))
            return nil
        }
        if let duplicate = Self.firstDuplicate(in: value, path: section.rawValue) {
            errors.append(.configuration(duplicate))
            return nil
        }
        resolvedSections[section] = value.strippingLocations()
        return value
    }

    /// The root seed: a whole number ≥ 0, 0 when the recipe has none.
    private mutating func seed() -> UInt64? {
        guard let entry = sections[.seed] else { return 0 }
        let value = entry.value
        guard let seed = value.integerValue else {
            errors.append(
                .configuration(
                    .typeMismatch(
                        path: "seed", expected: "an integer", found: Recipe.describe(value),
                        location: value.location ?? entry.keyLocation)))
            return nil
        }
        guard seed >= 0 else {
            let error = ConfigurationError.outOfRange(key: "seed", value: "\(seed)", expected: "an integer ≥ 0")
            errors.append(.configuration(.located(error, path: "seed", location: value.location)))
            return nil
        }
        return UInt64(seed)
    }

    /// A key written twice anywhere in `value`, as the registry reports it for components.
    static func firstDuplicate(in value: ConfigurationValue, path: String) -> ConfigurationError? {
        if let entries = value.entries {
            var seen = Set<String>()
            for entry in entries {
                guard seen.insert(entry.key).inserted else {
                    return .duplicateKey(path: path, key: entry.key, location: entry.keyLocation ?? value.location)
                }
                let childPath = path.isEmpty ? entry.key : "\(path).\(entry.key)"
                if let duplicate = firstDuplicate(in: entry.value, path: childPath) { return duplicate }
            }
        }
        for (index, element) in (value.elements ?? []).enumerated() {
            if let duplicate = firstDuplicate(in: element, path: "\(path).\(index)") { return duplicate }
        }
        return nil
    }
}

extension ConfigurationValue {
    /// This tree without locations, as resolved recipes hold it.
    func strippingLocations() -> ConfigurationValue {
        switch content {
        case .mapping(let entries):
            .mapping(entries.map { Entry(key: $0.key, value: $0.value.strippingLocations()) })
        case .sequence(let elements):
            .sequence(elements.map { $0.strippingLocations() })
        default:
            ConfigurationValue(content)
        }
    }
}
