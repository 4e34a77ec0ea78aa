public import ScoreKitCore

/// A recipe that cannot be read, resolved or run as written: thrown, never printed.
///
/// Cases carry data; `description` renders them as compilers do (STYLE.md §7), with the
/// location first when the problem is in a file:
/// ```
/// recipes/vp.yaml:3:1: error: unknown top-level key 'smapler'
///   valid keys: data, evaluation, likelihood, loss, network, optimizer, parameterization,
///   sampler, sde, seed, timeGrid, training; did you mean 'sampler'?
/// ```
/// Errors in a component's section are `ConfigurationError`s from the registry, wrapped in
/// `configuration`; `multiple` gathers the errors of independent sections, so one
/// `scorekit validate` run reports them all.
public enum RecipeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No file at `path` (as the user wrote it).
    case fileNotFound(path: String)
    /// A file or folder that exists but could not be read, or could not be written, for `reason`.
    case fileAccessFailed(path: String, reason: String)
    /// Text that is not valid YAML: libyaml's `problem` at `location`, with its `context`
    /// (such as `while scanning a simple key at 3:1`) and the offending line.
    case invalidYAML(problem: String, context: String?, location: SourceLocation?, snippet: String?)
    /// Valid YAML that recipes do not use: an unknown tag, a mapping as a key.
    case unsupportedYAML(what: String, location: SourceLocation?)
    /// A recipe whose top level is not a mapping of axes (`found` describes it).
    case notAMapping(found: String, location: SourceLocation?)
    /// A top-level key that is not an axis; `validKeys` are sorted.
    case unknownSection(key: String, validKeys: [String], suggestion: String?, location: SourceLocation?)
    /// A section the recipe must have for `purpose`, such as `sde` for any recipe.
    case missingSection(key: String, purpose: String)
    /// A family name `scorekit list` does not know; `known` are sorted.
    case unknownFamily(name: String, known: [String], suggestion: String?)
    /// An error in a section's configuration, from the registry or the decoder.
    case configuration(ConfigurationError)
    /// Components that cannot work together: `headline` says which and why; `notes` what is
    /// allowed instead. `location` points at the component that should change, when known.
    case incompatible(headline: String, notes: [String], location: SourceLocation?)
    /// A run folder's recipe names a component (`family` `id`, at `overridePath`) that this
    /// executable does not register: the run was made by another one (`RunRecipe`).
    case unregisteredComponent(
        folder: String, family: String, id: String, overridePath: String, replacement: String, known: [String],
        location: SourceLocation?)
    /// Several independent errors, in recipe order.
    indirect case multiple([RecipeError])

    /// Where in a file the error is, when known (the first one's, for `multiple`).
    public var location: SourceLocation? {
        switch self {
        case .invalidYAML(_, _, let location, _), .unsupportedYAML(_, let location), .notAMapping(_, let location),
            .unknownSection(_, _, _, let location), .incompatible(_, _, let location),
            .unregisteredComponent(_, _, _, _, _, _, let location):
            location
        case .configuration(let error): error.location
        case .multiple(let errors): errors.lazy.compactMap(\.location).first
        case .fileNotFound, .fileAccessFailed, .missingSection, .unknownFamily: nil
        }
    }

    /// The errors this one stands for: itself, or each of `multiple`'s, flattened.
    public var errors: [RecipeError] {
        if case .multiple(let errors) = self { errors.flatMap(\.errors) } else { [self] }
    }

    /// `file:line:column: error: what`, then indented lines saying what is allowed; one such
    /// block per error for `multiple`.
    public var description: String {
        switch self {
        case .configuration(let error):
            return error.description
        case .multiple(let errors):
            return errors.map(\.description).joined(separator: "\n")
        default:
            let (headline, notes) = message
            let prefix = location.map { "\($0): " } ?? ""
            return ([prefix + "error: " + headline] + notes.map { $0.isEmpty ? "" : "  " + $0 })
                .joined(separator: "\n")
        }
    }

    private var message: (headline: String, notes: [String]) {
        switch self {
        case .fileNotFound(let path):
            return ("no recipe file at '\(path)'", ["check the path; it is read relative to the current folder"])
        case .fileAccessFailed(let path, let reason):
            return ("cannot read or write '\(path)': \(reason)", [])
        case .invalidYAML(let problem, let context, _, let snippet):
            var notes = context.map { [$0] } ?? []
            if let snippet {
                notes += snippet.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                    String(line.prefix(upTo: line.lastIndex { $0 != " " }.map(line.index(after:)) ?? line.startIndex))
                }
            }
            return ("invalid YAML: \(problem)", notes)
        case .unsupportedYAML(let what, _):
            return ("unsupported YAML: \(what)", ["recipes use plain mappings, sequences and scalars"])
        case .notAMapping(let found, _):
            return (
                "a recipe must be a mapping of sections, found \(found)",
                ["sections: " + RecipeSection.allCases.map(\.rawValue).joined(separator: ", ")]
            )
        case .unknownSection(let key, let validKeys, let suggestion, _):
            let hint = suggestion.map { "; did you mean '\($0)'?" } ?? ""
            return ("unknown top-level key '\(key)'", ["valid keys: " + validKeys.joined(separator: ", ") + hint])
        case .missingSection(let key, let purpose):
            return ("the recipe has no '\(key)' section", ["\(purpose) needs one, such as \(key): { kind: … }"])
        case .unknownFamily(let name, let known, let suggestion):
            var notes = ["known families: " + known.joined(separator: ", ")]
            if let suggestion { notes.append("did you mean '\(suggestion)'?") }
            return ("unknown component family '\(name)'", notes)
        case .incompatible(let headline, let notes, _):
            return (headline, notes)
        case .unregisteredComponent(let folder, let family, let id, let path, let replacement, let known, _):
            return (
                "the run folder '\(folder)' needs \(family) '\(id)', which this executable does not register",
                [
                    "the run was made by an executable that registers it (one built with ScoreKitCommand.main(registry:)): run that executable on this folder,",
                    "or replace the component: --set \(path)=\(replacement)",
                    "known \(family)s: " + (known.isEmpty ? "none" : known.joined(separator: ", ")),
                ]
            )
        case .configuration, .multiple:
            return ("", [])
        }
    }
}
