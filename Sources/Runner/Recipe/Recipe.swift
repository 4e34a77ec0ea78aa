public import ScoreKitCore

/// A recipe as written: a mapping whose top-level keys are axes (`RecipeSection`), before
/// any of it becomes a component.
///
/// ```swift
/// let recipe = try Recipe.load(contentsOf: "recipes/vp-epsilon-heun.yaml")
///     .applying([try ConfigurationOverride(parsing: "sampler.churn=0.2")])
/// let resolved = try recipe.resolve(with: registry)
/// try resolved.writeResolvedRecipe(inFolder: "runs/1")
/// ```
/// Loading reads YAML into a tree with locations; overrides are laid over it as if written
/// in the file, each located in its own text (`ConfigurationOverride`);
/// `resolve(with:compatibility:)` checks the top-level keys, makes each component section
/// through the registry, and runs the cross-axis compatibility rules.
public struct Recipe: Sendable {
    /// What messages call the recipe: the path as the user gave it.
    public var source: String
    /// The tree as written, with overrides applied; values from the file keep their locations.
    public var tree: ConfigurationValue

    /// A recipe from a tree built in code or read elsewhere.
    public init(tree: ConfigurationValue, source: String) {
        self.tree = tree
        self.source = source
    }

    /// A recipe from YAML text; `source` names it in locations.
    /// - Throws: `RecipeError.invalidYAML` and the loader's other errors.
    public init(yaml: String, source: String) throws(RecipeError) {
        self.init(tree: try YAMLLoader.parse(yaml, file: source), source: source)
    }

    /// The recipe in the YAML file at `path`, with `overrides` applied in order.
    /// - Throws: `RecipeError.fileNotFound` naming `path`, YAML errors, and override errors.
    public static func load(
        contentsOf path: String, overrides: [ConfigurationOverride] = []
    ) throws(RecipeError)
        -> Recipe
    {
        try Recipe(tree: YAMLLoader.load(contentsOf: path), source: path).applying(overrides)
    }

    /// This recipe with `--set` overrides applied in order (a later one wins). An override may
    /// create a section or a key, and replaces sequences whole (`network.hiddenWidths=[64,64]`).
    /// - Throws: `RecipeError.configuration(.invalidOverride)` for a path that is blocked.
    public func applying(_ overrides: [ConfigurationOverride]) throws(RecipeError) -> Recipe {
        guard !overrides.isEmpty else { return self }
        do {
            return Recipe(tree: try tree.applying(overrides), source: source)
        } catch {
            throw .configuration(error)
        }
    }

    /// Every component made, every default filled and every rule checked.
    ///
    /// Errors of independent sections are gathered, so one call reports them all.
    /// - Throws: `RecipeError`: `notAMapping`, `unknownSection`, `missingSection`,
    ///   `configuration` (from the registry: unknown kinds and keys, wrong types, ranges),
    ///   `incompatible` (from `compatibility`), or `multiple` of these.
    public func resolve(
        with registry: ComponentRegistry, compatibility: RecipeCompatibility = .standard
    )
        throws(RecipeError) -> ResolvedRecipe
    {
        let (sections, keyErrors) = try checkedSections()
        var builder = RecipeBuilder(registry: registry, sections: sections)
        let resolved = builder.build(source: source, written: tree)
        let errors = keyErrors + builder.errors
        guard errors.isEmpty, let resolved else { throw Self.combined(errors, source: source) }
        try MemoryEstimate.training(resolved).check(in: resolved)
        if let shape = resolved.declaredSampleShape {
            try MemoryEstimate.sampling(
                resolved, count: SamplingSession.Options.defaultCount, sampleShape: shape,
                rowsPerShard: SamplingSession.Options.defaultRowsPerShard
            ).check(in: resolved)
        }
        let incompatibilities = compatibility.check(resolved, registry: registry)
        guard incompatibilities.isEmpty else { throw Self.combined(incompatibilities, source: source) }
        return resolved
    }

    /// The top-level entries by section, and the errors of the keys that are not sections
    /// (unknown, repeated, missing); only a tree that is not a mapping stops here.
    private func checkedSections() throws(RecipeError) -> (
        sections: [RecipeSection: ConfigurationValue.Entry], errors: [RecipeError]
    ) {
        guard let entries = tree.entries else {
            let found = tree.isNull ? "an empty document" : Self.describe(tree)
            throw .notAMapping(found: found, location: tree.location)
        }
        var errors: [RecipeError] = []
        var sections: [RecipeSection: ConfigurationValue.Entry] = [:]
        for entry in entries {
            guard let section = RecipeSection(rawValue: entry.key) else {
                let valid = RecipeSection.sortedKeys
                errors.append(
                    .unknownSection(
                        key: entry.key, validKeys: valid, suggestion: Spelling.closest(to: entry.key, among: valid),
                        location: entry.keyLocation ?? entry.value.location ?? tree.location))
                continue
            }
            guard sections[section] == nil else {
                errors.append(
                    .configuration(
                        .duplicateKey(path: "", key: entry.key, location: entry.keyLocation ?? tree.location)))
                continue
            }
            sections[section] = entry
        }
        for section in RecipeSection.allCases where section.isRequired && sections[section] == nil {
            errors.append(.missingSection(key: section.rawValue, purpose: "every recipe"))
        }
        return (sections, errors)
    }

    /// One error as itself, several as `multiple`: those located in `source` in file order, then
    /// those located in each override (in the order first met) in its order, then the others.
    static func combined(_ errors: [RecipeError], source: String) -> RecipeError {
        let flat = errors.flatMap(\.errors)
        var files = [source]
        for file in flat.compactMap(\.location?.file) where !files.contains(file) { files.append(file) }
        let located = flat.enumerated().compactMap { index, error in
            error.location.map { location in
                (error: error, key: (files.firstIndex(of: location.file) ?? 0, location.line, location.column, index))
            }
        }
        let ordered = located.sorted { $0.key < $1.key }.map(\.error) + flat.filter { $0.location == nil }
        return ordered.count == 1 ? ordered[0] : .multiple(ordered)
    }

    /// `a sequence`, `the integer 3`: how messages name a value's type.
    static func describe(_ value: ConfigurationValue) -> String {
        switch value.content {
        case .null: "null"
        case .bool(let flag): "the boolean \(flag)"
        case .integer(let number): "the integer \(number)"
        case .number(let number): "the number \(number)"
        case .string(let text): "the string '\(text)'"
        case .sequence: "a sequence"
        case .mapping: "a mapping"
        }
    }
}
