/// Reads the value half of a `--set path=value` override: a YAML scalar or a flow collection.
///
/// Plain scalars resolve as recipe files do (`PlainScalar`, YAML 1.2's core schema: `null`/`~`,
/// `true`/`false`, integers including `0o17` and `0x1F`, decimals and `.inf`/`.nan`, anything else
/// is a string); `[…]`, `{…}` and quoted strings nest. Text that does not start with `[`, `{` or
/// a quote is one plain scalar, commas and colons included. As in YAML, `#` at the start or after
/// a space or tab begins a comment, which runs to the end of the line (`1 # seed` is `1`).
/// The value obeys the limits of a recipe file (`ConfigurationLimits`): nesting depth, node count
/// and scalar length; errors show long text shortened.
struct FlowValueParser {
    private let characters: [Character]
    private let errorText: String
    private var index = 0
    /// Collections open around the current position.
    private var depth = 0
    /// Scalars and collections read so far.
    private var nodeCount = 0

    private init(_ text: String, errorText: String) {
        characters = Array(text)
        self.errorText = errorText
    }

    /// Parses `text`, naming `errorText` (the whole override, shortened) in errors.
    static func parse(_ text: String, errorText: String) throws(ConfigurationError) -> ConfigurationValue {
        let shownText = ConfigurationLimits.shortened(errorText, to: 80)
        guard text.utf8.count <= ConfigurationLimits.documentByteCount else {
            throw .invalidOverride(
                text: shownText,
                reason: "the value has \(ConfigurationLimits.formatted(text.utf8.count)) bytes; the limit is "
                    + "\(ConfigurationLimits.formatted(ConfigurationLimits.documentByteCount))")
        }
        let trimmed = trim(text)
        guard let first = trimmed.first, "[{\"'".contains(first) else {
            let plain = trim(withoutComment(trimmed))
            try checkLength(plain, errorText: shownText)
            return resolvePlainScalar(plain)
        }
        var parser = FlowValueParser(trimmed, errorText: shownText)
        let value = try parser.parseValue(terminators: [])
        parser.skipSpaces()
        if parser.index < parser.characters.count {
            throw parser.failure("unexpected '\(parser.characters[parser.index])' after the value")
        }
        return value
    }

    /// The value a plain (unquoted) scalar stands for, as in a recipe file (`PlainScalar`).
    static func resolvePlainScalar(_ text: String) -> ConfigurationValue {
        ConfigurationValue(PlainScalar.resolve(text))
    }

    /// `text` up to its first comment: a `#` at the start or after a space or tab.
    static func withoutComment(_ text: String) -> String {
        var previous: Character? = nil
        for index in text.indices {
            let character = text[index]
            if character == "#", previous == nil || previous == " " || previous == "\t" {
                return String(text[..<index])
            }
            previous = character
        }
        return text
    }

    /// Throws when a scalar or key is longer than `ConfigurationLimits.scalarByteCount`.
    private static func checkLength(_ text: String, errorText: String) throws(ConfigurationError) {
        let limit = ConfigurationLimits.scalarByteCount
        guard text.utf8.count <= limit else {
            throw .invalidOverride(
                text: errorText,
                reason: "the scalar '\(ConfigurationLimits.shortened(text))' is longer than the limit of "
                    + "\(ConfigurationLimits.formatted(limit)) bytes")
        }
    }

    /// `text` without leading and trailing spaces, tabs and newlines.
    static func trim(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = text.firstIndex(where: { !isSpace($0) }),
            let end = text.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(text[start...end])
    }

    // MARK: - Recursive descent

    private var current: Character? { index < characters.count ? characters[index] : nil }

    /// Skips spaces and tabs, and a comment after them, up to the end of its line.
    private mutating func skipSpaces() {
        while let character = current, character == " " || character == "\t" { index += 1 }
        if current == "#", index == 0 || characters[index - 1] == " " || characters[index - 1] == "\t" {
            while let character = current, character != "\n" { index += 1 }
        }
    }

    /// Whether the current character starts a comment: a `#` after a space or tab.
    private var atComment: Bool {
        current == "#" && index > 0 && (characters[index - 1] == " " || characters[index - 1] == "\t")
    }

    private func failure(_ reason: String) -> ConfigurationError {
        .invalidOverride(text: errorText, reason: reason)
    }

    private mutating func parseValue(terminators: Set<Character>) throws(ConfigurationError) -> ConfigurationValue {
        skipSpaces()
        nodeCount += 1
        guard nodeCount <= ConfigurationLimits.nodeCount else {
            throw failure(
                "the value has more than \(ConfigurationLimits.formatted(ConfigurationLimits.nodeCount)) nodes (the limit)"
            )
        }
        switch current {
        case "[", "{":
            depth += 1
            defer { depth -= 1 }
            guard depth <= ConfigurationLimits.nestingDepth else {
                throw failure(
                    "the value nests collections more than "
                        + "\(ConfigurationLimits.formatted(ConfigurationLimits.nestingDepth)) levels deep (the limit)")
            }
            return current == "[" ? try parseSequence() : try parseMapping()
        case "\"", "'": return .string(try parseQuoted())
        default: return Self.resolvePlainScalar(try readPlain(until: terminators))
        }
    }

    private mutating func readPlain(until terminators: Set<Character>) throws(ConfigurationError) -> String {
        let start = index
        while let character = current, !terminators.contains(character), !atComment { index += 1 }
        let text = Self.trim(String(characters[start..<index]))
        try Self.checkLength(text, errorText: errorText)
        skipSpaces()
        return text
    }

    private mutating func parseSequence() throws(ConfigurationError) -> ConfigurationValue {
        index += 1  // [
        var elements: [ConfigurationValue] = []
        while true {
            skipSpaces()
            if current == "]" {
                index += 1
                return .sequence(elements)
            }
            guard current != "," else { throw failure("empty element in a sequence") }
            elements.append(try parseValue(terminators: [",", "]"]))
            try expectSeparator(closing: "]")
        }
    }

    private mutating func parseMapping() throws(ConfigurationError) -> ConfigurationValue {
        index += 1  // {
        var entries: [ConfigurationValue.Entry] = []
        while true {
            skipSpaces()
            if current == "}" {
                index += 1
                return .mapping(entries)
            }
            let key = current == "\"" || current == "'" ? try parseQuoted() : try readPlain(until: [":", ",", "}"])
            skipSpaces()
            guard !key.isEmpty, current == ":" else { throw failure("expected 'key: value' in a mapping") }
            index += 1  // :
            let value = try parseValue(terminators: [",", "}"])
            entries.append(ConfigurationValue.Entry(key: key, value: value))
            try expectSeparator(closing: "}")
        }
    }

    /// Consumes the `,` after an element, or stops before `closing`.
    private mutating func expectSeparator(closing: Character) throws(ConfigurationError) {
        skipSpaces()
        if current == "," {
            index += 1
        } else if current != closing {
            throw failure(current == nil ? "missing '\(closing)'" : "expected ',' or '\(closing)'")
        }
    }

    private mutating func parseQuoted() throws(ConfigurationError) -> String {
        guard let quote = current else { return "" }
        index += 1
        var text = ""
        while let character = current {
            index += 1
            if character == quote {
                guard quote == "'", current == "'" else {
                    try Self.checkLength(text, errorText: errorText)
                    return text
                }
                index += 1  // '' is an escaped single quote
                text.append("'")
            } else if character == "\\", quote == "\"" {
                guard let escaped = current else { break }
                index += 1
                switch escaped {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "\"", "\\", "/": text.append(escaped)
                default: throw failure("unknown escape '\\\(escaped)' in a quoted string")
                }
            } else {
                text.append(character)
            }
            if text.utf8.count > ConfigurationLimits.scalarByteCount {
                try Self.checkLength(text, errorText: errorText)
            }
        }
        throw failure("unterminated \(quote) quoted string")
    }
}
