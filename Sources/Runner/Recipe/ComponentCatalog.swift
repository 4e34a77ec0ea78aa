package import ScoreKitCore

/// Every registered component grouped by family, as `scorekit list` prints it and
/// docs/RECIPES.md tabulates it.
///
/// The families of a recipe's component sections come first, in `RecipeSection` order and
/// listed even when empty; families registered under other names follow (the data sets as
/// `data`, when registered).
package struct ComponentCatalog: Sendable {
    /// One family and its members, sorted by id.
    package struct Family: Sendable {
        /// The family's name, which is also its recipe key: `sde`, `sampler`, …
        package var name: String
        /// The registered components.
        package var entries: [ComponentRegistry.Entry]
    }

    /// The families, recipe sections first.
    package var families: [Family]

    /// The catalog of `registry`.
    package init(registry: ComponentRegistry) {
        var families = [
            Family(name: RecipeSection.sde.rawValue, entries: registry.entries(of: .sde)),
            Family(name: RecipeSection.parameterization.rawValue, entries: registry.entries(of: .parameterization)),
            Family(name: RecipeSection.loss.rawValue, entries: registry.entries(of: .loss)),
            Family(name: RecipeSection.network.rawValue, entries: registry.entries(of: .network)),
            Family(name: RecipeSection.optimizer.rawValue, entries: registry.entries(of: .optimizer)),
            Family(name: RecipeSection.timeGrid.rawValue, entries: registry.entries(of: .timeGrid)),
            Family(name: RecipeSection.sampler.rawValue, entries: registry.entries(of: .sampler)),
        ]
        let known = Set(families.map(\.name))
        for entry in registry.allEntries where !known.contains(entry.kind) {
            // The data family's members are "data sets" in messages; its recipe key is `data`.
            let isData = entry.kind == ComponentKind<DataSpecification>.data.name
            let name = isData ? RecipeSection.data.rawValue : entry.kind
            if let index = families.firstIndex(where: { $0.name == name }) {
                families[index].entries.append(entry)
            } else {
                families.append(Family(name: name, entries: [entry]))
            }
        }
        self.families = families
    }

    /// The family called `name` (or its plural, `samplers`), ignoring case.
    /// - Throws: `RecipeError.unknownFamily` listing the known names, with a suggestion.
    package func family(named name: String) throws(RecipeError) -> Family {
        let lowered = name.lowercased()
        if let family = families.first(where: {
            [$0.name.lowercased(), Self.plural($0.name).lowercased()].contains(lowered)
        }) {
            return family
        }
        let known = families.map(\.name).sorted()
        throw .unknownFamily(name: name, known: known, suggestion: Spelling.closest(to: name, among: known))
    }

    /// The listing `scorekit list` prints: per family a heading, then each id with its
    /// summary and its keys with their defaults, as `--help` shows defaults.
    package func text(of families: [Family]) -> String {
        families.map { family in
            var lines = ["\(family.name): \(RecipeSection(rawValue: family.name)?.summary ?? "")"]
            if family.entries.isEmpty { lines.append("  (none registered yet)") }
            let idWidth = (family.entries.map(\.id.rawValue.count).max() ?? 0) + 2
            let keyWidth = (family.entries.flatMap { $0.defaults.keys ?? [] }.map(\.count).max() ?? 0) + 2
            for entry in family.entries {
                lines.append("  " + Self.padded(entry.id.rawValue, to: idWidth) + entry.summary)
                for key in entry.defaults.entries ?? [] {
                    lines.append("      " + Self.padded(key.key, to: keyWidth) + "(default: \(key.value))")
                }
            }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n\n") + "\n"
    }

    /// One Markdown table per family: `kind`, summary, keys with defaults.
    package func markdown(of families: [Family]) -> String {
        families.map { family in
            var lines = ["### `\(family.name)`", ""]
            if let summary = RecipeSection(rawValue: family.name)?.summary {
                lines += [summary.prefix(1).uppercased() + summary.dropFirst() + ".", ""]
            }
            guard !family.entries.isEmpty else { return (lines + ["None registered yet."]).joined(separator: "\n") }
            lines += ["| `kind` | summary | keys (default) |", "|---|---|---|"]
            for entry in family.entries {
                let keys = (entry.defaults.entries ?? []).map { "`\($0.key): \($0.value)`" }
                let cells = [
                    "`\(entry.id)`", Self.escaped(entry.summary), keys.isEmpty ? "—" : keys.joined(separator: "<br>"),
                ]
                lines.append("| " + cells.joined(separator: " | ") + " |")
            }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n\n") + "\n"
    }

    private static func padded(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(1, width - text.count))
    }

    private static func escaped(_ text: String) -> String {
        text.split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }

    private static func plural(_ name: String) -> String {
        name.hasSuffix("s") ? name + "es" : name + "s"
    }
}
