extension ConfigurationValue: CustomStringConvertible {
    /// The node in YAML flow style, such as `{kind: heun, churn: 0.2}` or `[128, 128]`.
    ///
    /// Strings are quoted only when they would otherwise read back as something else;
    /// `ConfigurationValue(parsing:)` reads every rendering back to an equal value.
    public var description: String {
        switch content {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .number(let value): Self.render(value)
        case .string(let value): Self.render(value)
        case .sequence(let elements): "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .mapping(let entries):
            "{" + entries.map { "\(Self.render($0.key)): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }

    /// What kind of node this is, with an article: `a mapping`, `an integer`, `null`.
    var typeDescription: String {
        switch content {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .number: "a number"
        case .string: "a string"
        case .sequence: "a sequence"
        case .mapping: "a mapping"
        }
    }

    /// The node as a type-mismatch message names it: `the string 'fast'`, `a mapping`.
    var foundDescription: String {
        switch content {
        case .null: "null"
        case .bool(let value): "the boolean \(value)"
        case .integer(let value): "the integer \(value)"
        case .number: "the number \(description)"
        case .string(let value): "the string '\(value)'"
        case .sequence, .mapping: typeDescription
        }
    }

    /// A double as YAML writes it: shortest round-tripping digits, `.inf`, `-.inf`, `.nan`.
    static func render(_ value: Double) -> String {
        if value.isNaN { return ".nan" }
        if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
        return value.description
    }

    /// A string plain when it reads back as itself, else double-quoted with escapes.
    static func render(_ text: String) -> String {
        let plainCharacters = text.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-", ".", "/", " ": true
            default: false
            }
        }
        let plain =
            plainCharacters && text.first != " " && text.last != " " && text.first != "-"
            && FlowValueParser.resolvePlainScalar(text) == .string(text)
        if plain { return text }
        var quoted = "\""
        for character in text {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }
}
