package import ScoreKitCore

/// One key of a diffusers config that ScoreKit cannot express, or a value of the wrong type.
///
/// Rendered as `file:line:column: error: key 'solver_type' = "heun": reason`, then the notes
/// indented: what ScoreKit can express and what to do.
package struct DiffusersRefusal: Equatable, Sendable, CustomStringConvertible {
    /// The key refused; `nil` for a refusal of the whole config (its class) or of a command option.
    package var key: String?
    /// The value as written in the JSON (`"heun"`, `3`), when there is one.
    package var value: String?
    /// Where the key is written; `nil` for a key left out (its default) or an option.
    package var location: SourceLocation?
    /// Why it cannot be converted.
    package var reason: String
    /// What can be expressed and what to do, one line each.
    package var notes: [String]

    package var description: String {
        let prefix = location.map { "\($0): " } ?? ""
        let subject = key.map { key in "key '\(key)'" + (value.map { " = \($0)" } ?? "") + ": " } ?? ""
        return ([prefix + "error: " + subject + reason] + notes.map { "  " + $0 }).joined(separator: "\n")
    }
}

/// Reads the keys of one scheduler config with their diffusers defaults, collecting refusals
/// instead of stopping at the first, and remembering which keys it read so that any other key
/// is refused rather than dropped.
struct DiffusersConfigReader {
    let file: String
    private let members: [String: DiffusersJSON.Member]
    private(set) var refusals: [DiffusersRefusal] = []
    private(set) var readKeys: Set<String> = []

    init(file: String, members: [DiffusersJSON.Member]) {
        self.file = file
        self.members = Dictionary(members.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The value written for `key`, or `nil` when it is left out; marks the key as read.
    mutating func raw(_ key: String) -> DiffusersJSON? {
        readKeys.insert(key)
        return members[key]?.value
    }

    /// Whether `key` is written in the file (not left to its default).
    func isWritten(_ key: String) -> Bool { members[key] != nil }

    func location(of key: String) -> SourceLocation? {
        members[key].map { SourceLocation(file: file, line: $0.line, column: $0.column) }
    }

    /// Records that `key` cannot be converted.
    mutating func refuse(_ key: String, _ reason: String, _ notes: [String] = []) {
        refusals.append(
            DiffusersRefusal(
                key: key, value: members[key]?.value.rendered ?? "\(defaultText(key)) (the default)",
                location: location(of: key), reason: reason, notes: notes))
    }

    /// Records a refusal of something not tied to one key (a command option).
    mutating func refuse(option: String, _ reason: String, _ notes: [String] = []) {
        refusals.append(
            DiffusersRefusal(key: nil, value: nil, location: nil, reason: option + ": " + reason, notes: notes))
    }

    private var defaults: [String: String] = [:]

    private func defaultText(_ key: String) -> String { defaults[key] ?? "?" }

    private mutating func wrongType(_ key: String, expected: String) {
        let found = members[key]?.value.kindName ?? "nothing"
        refuse(key, "expected \(expected), found \(found)", ["write \(expected), as diffusers does"])
    }

    /// A boolean key.
    mutating func bool(_ key: String, default value: Bool) -> Bool {
        defaults[key] = value ? "true" : "false"
        switch raw(key) {
        case nil: return value
        case .bool(let written)?: return written
        default:
            wrongType(key, expected: "true or false")
            return value
        }
    }

    /// A number key (an integer is a number too; `-Infinity` and `NaN` are numbers).
    mutating func number(_ key: String, default value: Double) -> Double {
        defaults[key] = "\(value)"
        switch raw(key) {
        case nil: return value
        case .number(let written, _)?: return written
        default:
            wrongType(key, expected: "a number")
            return value
        }
    }

    /// A whole-number key (`1000`, or `1000.0`).
    mutating func integer(_ key: String, default value: Int) -> Int {
        defaults[key] = "\(value)"
        switch raw(key) {
        case nil: return value
        case .number(let written, _)? where written.rounded() == written && abs(written) < 1e15:
            return Int(written)
        default:
            wrongType(key, expected: "a whole number")
            return value
        }
    }

    /// A string key.
    mutating func string(_ key: String, default value: String) -> String {
        defaults[key] = "\"\(value)\""
        switch raw(key) {
        case nil: return value
        case .string(let written)?: return written
        default:
            wrongType(key, expected: "a string")
            return value
        }
    }

    /// A key whose only convertible value is `null` (its default): any other value is refused.
    mutating func requireNull(_ key: String, _ reason: String, _ notes: [String]) {
        defaults[key] = "null"
        guard let value = raw(key), value != .null else { return }
        refuse(key, reason, notes)
    }

    /// A key read only for its presence: any value is accepted (it has no effect in diffusers
    /// given the other keys, which the caller has checked).
    mutating func ignore(_ key: String) { _ = raw(key) }

    /// A string key that must be one of `allowed`; another value is refused with `notes`.
    mutating func choice(
        _ key: String, default value: String, allowed: [String], _ reason: (String) -> String, _ notes: [String]
    ) -> String? {
        let written = string(key, default: value)
        guard allowed.contains(written) else {
            if case .string? = members[key]?.value { refuse(key, reason(written), notes) }
            return nil
        }
        return written
    }
}
