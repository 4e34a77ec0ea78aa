/// Reads the value half of a `--set path=value` override: a YAML scalar or a flow collection.
///
/// Plain scalars resolve as recipe files do (`PlainScalar`, YAML 1.2's core schema: `null`/`~`,
/// `true`/`false`, integers including `0o17` and `0x1F`, decimals and `.inf`/`.nan`, anything else
/// is a string); `[…]`, `{…}` and quoted strings nest. Text that does not start with `[`, `{` or
/// a quote is one plain scalar, commas and colons included. As in YAML, `#` at the start or after
/// a space or tab begins a comment, which runs to the end of the line (`1 # seed` is `1`).
/// The value obeys the limits of a recipe file (`ConfigurationLimits`): nesting depth, node count
/// and scalar length; errors show long text shortened. Given the positions of the override's
/// text, every node and mapping key carries its `SourceLocation` in it, as a file's do.
struct FlowValueParser {
    private let characters: [Character]
    private let errorText: String
    /// The positions of the whole argument, and the offset in it of `characters[0]`.
    private let positions: TextPositions?
    private let base: Int
    private var index = 0
    /// Collections open around the current position.
    private var depth = 0
    /// Scalars and collections read so far.
    private var nodeCount = 0

    private init(_ text: String, errorText: String, positions: TextPositions?, base: Int) {
        characters = Array(text)
        self.errorText = errorText
        self.positions = positions
        self.base = base
    }

    /// Parses `text`, naming `errorText` (the whole override, shortened) in errors; with
    /// `positions`, nodes are located as characters of their text, `text` starting at
    /// character `offset` of it.
    static func parse(
        _ text: String, errorText: String, positions: TextPositions? = nil, offset: Int = 0
    ) throws(ConfigurationError) -> ConfigurationValue {
        let shownText = ConfigurationLimits.shortened(errorText, to: 80)
        guard text.utf8.count <= ConfigurationLimits.documentByteCount else {
            throw .invalidOverride(
                text: shownText,
                reason: "the value has \(ConfigurationLimits.formatted(text.utf8.count)) bytes; the limit is "
                    + "\(ConfigurationLimits.formatted(ConfigurationLimits.documentByteCount))")
        }
        let trimmed = trim(text)
        let start = offset + text.prefix(while: isSpace).count
        guard let first = trimmed.first, "[{\"'".contains(first) else {
            let plain = trim(withoutComment(trimmed))
            try checkLength(plain, errorText: shownText)
            return resolvePlainScalar(plain, at: positions?.location(at: start))
        }
        var parser = FlowValueParser(trimmed, errorText: shownText, positions: positions, base: start)
        let value = try parser.parseValue(terminators: [])
        parser.skipSpaces()
        if parser.index < parser.characters.count {
            throw parser.failure("unexpected '\(parser.characters[parser.index])' after the value")
        }
        return value
    }

    /// The value a plain (unquoted) scalar stands for, as in a recipe file (`PlainScalar`).
    static func resolvePlainScalar(_ text: String, at location: SourceLocation? = nil) -> ConfigurationValue {
        ConfigurationValue(PlainScalar.resolve(text), location: location)
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

    /// Whether `trim` removes `character`: a space, tab or newline.
    static func isSpace(_ character: Character) -> Bool {
        character == " " || character == "\t" || character == "\n" || character == "\r"
    }

    /// `text` without leading and trailing spaces, tabs and newlines.
    static func trim(_ text: String) -> String {
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

    /// Where `characters[offset]` is in the override, when its positions are known.
    private func location(at offset: Int) -> SourceLocation? {
        positions?.location(at: base + offset)
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
        case "\"", "'":
            let location = self.location(at: index)
            return .string(try parseQuoted(), at: location)
        default:
            let (text, start) = try readPlain(until: terminators)
            return Self.resolvePlainScalar(text, at: self.location(at: start))
        }
    }

    /// The plain scalar up to a terminator or comment, trimmed, with the offset of its first character.
    private mutating func readPlain(
        until terminators: Set<Character>
    ) throws(ConfigurationError) -> (text: String, start: Int) {
        var start = index
        while let character = current, !terminators.contains(character), !atComment { index += 1 }
        let text = Self.trim(String(characters[start..<index]))
        try Self.checkLength(text, errorText: errorText)
        while start < index, Self.isSpace(characters[start]) { start += 1 }
        skipSpaces()
        return (text, start)
    }

    private mutating func parseSequence() throws(ConfigurationError) -> ConfigurationValue {
        let location = self.location(at: index)
        index += 1  // [
        var elements: [ConfigurationValue] = []
        while true {
            skipSpaces()
            if current == "]" {
                index += 1
                return .sequence(elements, at: location)
            }
            guard current != "," else { throw failure("empty element in a sequence") }
            elements.append(try parseValue(terminators: [",", "]"]))
            try expectSeparator(closing: "]")
        }
    }

    private mutating func parseMapping() throws(ConfigurationError) -> ConfigurationValue {
        let location = self.location(at: index)
        index += 1  // {
        var entries: [ConfigurationValue.Entry] = []
        while true {
            skipSpaces()
            if current == "}" {
                index += 1
                return .mapping(entries, at: location)
            }
            var keyStart = index
            let key: String
            if current == "\"" || current == "'" {
                key = try parseQuoted()
            } else {
                (key, keyStart) = try readPlain(until: [":", ",", "}"])
            }
            skipSpaces()
            guard !key.isEmpty, current == ":" else { throw failure("expected 'key: value' in a mapping") }
            index += 1  // :
            let value = try parseValue(terminators: [",", "}"])
            entries.append(ConfigurationValue.Entry(key: key, value: value, keyLocation: self.location(at: keyStart)))
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
