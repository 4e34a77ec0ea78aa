package import ScoreKitCore

/// Plain YAML scalars typed by the YAML 1.2 core schema, as recipes read and write them.
///
/// | text | value |
/// |---|---|
/// | `null`, `Null`, `NULL`, `~`, nothing | null |
/// | `true`, `True`, `TRUE`, `false`, … | a boolean |
/// | `[-+]?[0-9]+`, `0o17`, `0x1F` | an integer (a decimal beyond `Int` becomes a number) |
/// | `[-+]?(\.[0-9]+ or [0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `.inf`, `-.inf`, `.nan` | a number |
/// | anything else | a string |
///
/// Quoted and block scalars are always strings; only plain ones are typed. YAML 1.1's
/// `yes`/`no`/`on`/`off` are strings here, as in the 1.2 core schema. Core's `PlainScalar` holds
/// the rule, so `--set` values read the same way.
package enum YAMLScalar {
    /// The value a plain scalar's text stands for.
    package static func resolve(plain text: String) -> ConfigurationValue.Content {
        PlainScalar.resolve(text)
    }

    /// Whether `text` can be written as a plain scalar and read back as this same string, by
    /// this schema, by Core's `--set` parser and by YAML 1.1 readers alike; otherwise writers quote it.
    package static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
            first != " ", last != " ", first != "-", first != "."
        else { return false }
        let characters = text.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-", ".", "/", " ": true
            default: false
            }
        }
        guard characters, resolve(plain: text) == .string(text) else { return false }
        // YAML 1.1 readers (PyYAML) take these for booleans; quoting keeps them strings there too.
        guard !["yes", "no", "on", "off"].contains(text.lowercased()) else { return false }
        return (try? ConfigurationValue(parsing: text))?.content == .string(text)
    }
}
