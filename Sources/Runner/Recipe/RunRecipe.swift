public import ScoreKitCore

/// The recipe of a command's SOURCE — a run folder's `resolved-recipe.yaml`, or a recipe file —
/// resolved; a run folder that needs a component this executable does not register says so.
///
/// A run folder records the ids of the components it was made with. Made by an executable that
/// registers more (someone's plug-in sampler, through `ScoreKitCommand.main(registry:)`), it
/// cannot be resolved by one that does not; the error names the component, says the run was
/// made by another executable, and shows the override that replaces it:
/// ```
/// runs/ring/resolved-recipe.yaml:27:9: error: the run folder 'runs/ring' needs sampler 'ralston', which this executable does not register
///   the run was made by an executable that registers it: run that executable on this folder,
///   or replace the component: --set sampler.kind=heun
///   known samplers: ancestral, …
/// ```
public enum RunRecipe {
    /// The resolved recipe at `recipePath`, with `overrides`; `folder` is the run folder it
    /// belongs to, when it is one.
    public static func resolve(
        recipePath: String, folder: String?, overrides: [ConfigurationOverride], registry: ComponentRegistry
    ) throws(RecipeError) -> ResolvedRecipe {
        let recipe = try Recipe.load(contentsOf: recipePath, overrides: overrides)
        do {
            return try recipe.resolve(with: registry)
        } catch {
            guard let folder else { throw error }
            let errors = error.errors.map { explained($0, folder: folder, recipe: recipe) }
            throw errors.count == 1 ? errors[0] : .multiple(errors)
        }
    }

    /// `error`, explained as a component of another executable's when it names an unknown
    /// component that the run folder's recipe wrote; one a `--set` override names (located in
    /// the override) is the user's own and stays `unknownComponent`, with its suggestion.
    static func explained(_ error: RecipeError, folder: String, recipe: Recipe) -> RecipeError {
        guard case .configuration(let configuration) = error,
            case .unknownComponent(let family, let id, let known, let suggestion, let location) = configuration,
            location.map({ $0.file == recipe.source }) ?? true
        else { return error }
        let kindPath = location.flatMap { recipe.tree.path(ofValueAt: $0) } ?? "\(family).kind"
        let replacement = suggestion ?? known.first ?? "…"
        return .unregisteredComponent(
            folder: folder, family: family, id: id, overridePath: kindPath, replacement: replacement, known: known,
            location: location)
    }
}

extension ConfigurationValue {
    /// The dotted path of the value written at `location` in this tree, if any.
    func path(ofValueAt location: SourceLocation) -> String? {
        if self.location == location, entries == nil, elements == nil { return "" }
        if let entries {
            for entry in entries {
                if let rest = entry.value.path(ofValueAt: location) {
                    return rest.isEmpty ? entry.key : entry.key + "." + rest
                }
            }
        } else if let elements {
            for (index, element) in elements.enumerated() {
                if let rest = element.path(ofValueAt: location) {
                    return rest.isEmpty ? "\(index)" : "\(index).\(rest)"
                }
            }
        }
        return nil
    }
}
