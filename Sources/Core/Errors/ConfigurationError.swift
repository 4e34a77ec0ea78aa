/// A recipe, override or configuration that cannot become a component: thrown, never printed.
///
/// Cases carry data; `description` renders it in the compiler-like form of STYLE.md §7, with
/// the location first when the value came from a file:
/// ```
/// recipes/vp-epsilon-heun.yaml:7:25: error: unknown sampler 'heun2'
///   known samplers: euler, heun
///   did you mean 'heun'?
/// ```
/// Paths are dotted keys from the recipe root (`sampler.churn`, `network.hiddenWidths.1`).
/// Suggestions come from a case-insensitive edit distance and are offered only when close.
public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A key the type does not declare, at the mapping `path`.
    /// `component` names the owner for messages (`loss 'denoising-score-matching'`);
    /// `validKeys` are sorted.
    case unknownKey(
        path: String, key: String, component: String?, validKeys: [String], suggestion: String?,
        location: SourceLocation?)
    /// A key written twice in the mapping at `path`; `location` is the second one.
    case duplicateKey(path: String, key: String, location: SourceLocation?)
    /// A key the type requires but the mapping at `path` lacks (only where no default fills it,
    /// such as elements of a sequence of structures).
    case missingKey(path: String, key: String, location: SourceLocation?)
    /// A value of the wrong type: `expected` is `a number`, `an integer`, `a mapping`, …;
    /// `found` describes the value, such as `the string 'fast'`.
    case typeMismatch(path: String, expected: String, found: String, location: SourceLocation?)
    /// A string that is not one of an enumeration's values.
    case invalidChoice(path: String, value: String, choices: [String], suggestion: String?, location: SourceLocation?)
    /// A value outside its allowed range, thrown by `ComponentConfiguration.validate()`:
    /// ```swift
    /// throw .outOfRange(key: "churn", value: "\(churn)", expected: "a number ≥ 0")
    /// ```
    /// `key` is relative to the configuration; decoding wraps the error in `located` to add
    /// the full path and the location of the value.
    case outOfRange(key: String, value: String, expected: String)
    /// `error` at the full dotted `path`, written at `location`: how a component's own error
    /// (from `validate()` or its initializer) learns where in the recipe it happened.
    indirect case located(ConfigurationError, path: String, location: SourceLocation?)
    /// A `kind` naming no registered component of this family; `known` ids are sorted.
    case unknownComponent(kind: String, id: String, known: [String], suggestion: String?, location: SourceLocation?)
    /// A component mapping without a `kind` key; `known` lists the ids it could name.
    case missingKind(kind: String, path: String, known: [String], location: SourceLocation?)
    /// A malformed `--set` override; `text` is the whole `path=value` argument.
    case invalidOverride(text: String, reason: String)
    /// A value that a type's own `init(from:)` rejected for `reason`.
    case decodingFailed(path: String, reason: String, location: SourceLocation?)
    /// A value that could not be encoded, such as an integer beyond `Int`.
    case encodingFailed(path: String, reason: String)

    /// Where in a file the error is, when known.
    public var location: SourceLocation? {
        switch self {
        case .unknownKey(_, _, _, _, _, let location), .duplicateKey(_, _, let location),
            .missingKey(_, _, let location), .typeMismatch(_, _, _, let location),
            .invalidChoice(_, _, _, _, let location), .unknownComponent(_, _, _, _, let location),
            .missingKind(_, _, _, let location), .decodingFailed(_, _, let location):
            location
        case .located(let error, _, let location): location ?? error.location
        case .outOfRange, .invalidOverride, .encodingFailed: nil
        }
    }

    /// The message: `file:line:column: error: what`, then indented lines saying what is allowed.
    public var description: String {
        let (headline, notes) = message(path: nil)
        let prefix = location.map { "\($0): " } ?? ""
        return ([prefix + "error: " + headline] + notes).joined(separator: "\n  ")
    }

    private func message(path fullPath: String?) -> (headline: String, notes: [String]) {
        switch self {
        case .unknownKey(let path, let key, let component, let validKeys, let suggestion, _):
            let owner = component.map { " for \($0)" } ?? Self.inPath(path)
            let keys = validKeys.isEmpty ? "none" : validKeys.joined(separator: ", ")
            return ("unknown key '\(key)'\(owner)", ["valid keys: \(keys)" + Self.didYouMean(suggestion, after: "; ")])
        case .duplicateKey(let path, let key, _):
            return ("duplicate key '\(key)'\(Self.inPath(path))", ["each key may appear once"])
        case .missingKey(let path, let key, _):
            return ("missing key '\(key)'\(Self.inPath(path))", [])
        case .typeMismatch(let path, let expected, let found, _):
            return ("expected \(expected)\(path.isEmpty ? "" : " for '\(path)'"), found \(found)", [])
        case .invalidChoice(let path, let value, let choices, let suggestion, _):
            let note = "valid values: \(choices.joined(separator: ", "))" + Self.didYouMean(suggestion, after: "; ")
            return ("invalid value '\(value)'\(path.isEmpty ? "" : " for '\(path)'")", [note])
        case .outOfRange(let key, let value, let expected):
            return ("value \(value) for '\(fullPath ?? key)' is out of range; expected \(expected)", [])
        case .located(let error, let path, _):
            return error.message(path: path)
        case .unknownComponent(let kind, let id, let known, let suggestion, _):
            var notes = [Self.knownList(kind, known)]
            if suggestion != nil { notes.append(Self.didYouMean(suggestion, after: "")) }
            return ("unknown \(kind) '\(id)'", notes)
        case .missingKind(let kind, let path, let known, _):
            return ("missing 'kind'\(Self.inPath(path))", ["'kind' names the \(kind); " + Self.knownList(kind, known)])
        case .invalidOverride(let text, let reason):
            return (
                "invalid override '\(text)': \(reason)",
                ["overrides look like sampler.churn=0.2 or network.hiddenWidths=[128,128]"]
            )
        case .decodingFailed(let path, let reason, _):
            return ("cannot decode '\(path)': \(reason)", [])
        case .encodingFailed(let path, let reason):
            return ("cannot encode '\(path)': \(reason)", [])
        }
    }

    private static func inPath(_ path: String) -> String {
        path.isEmpty ? "" : " in '\(path)'"
    }

    /// `separator` then `did you mean 'x'?`, or nothing without a suggestion.
    private static func didYouMean(_ suggestion: String?, after separator: String) -> String {
        suggestion.map { "\(separator)did you mean '\($0)'?" } ?? ""
    }

    private static func knownList(_ kind: String, _ known: [String]) -> String {
        known.isEmpty ? "no \(plural(kind)) are registered" : "known \(plural(kind)): \(known.joined(separator: ", "))"
    }

    /// English plural of a family name: `sampler` → `samplers`, `loss` → `losses`.
    static func plural(_ noun: String) -> String {
        if ["s", "x", "ch", "sh"].contains(where: noun.hasSuffix) { return noun + "es" }
        if noun.hasSuffix("y"), let before = noun.dropLast().last, !"aeiou".contains(before) {
            return noun.dropLast() + "ies"
        }
        return noun + "s"
    }

    /// This error placed in the recipe: an `outOfRange` from a configuration at `path` gets the
    /// full key path and the location of the offending value in `user` (else of `user` itself).
    func locating(in user: ConfigurationValue, path: String) -> ConfigurationError {
        switch self {
        case .outOfRange(let key, _, _):
            let location = user.value(atPath: key)?.location ?? user.location
            return .located(self, path: ConfigurationValue.joinPath(path, key), location: location)
        default:
            return self
        }
    }
}
