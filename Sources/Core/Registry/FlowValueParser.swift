/// Reads the value half of a `--set path=value` override: a YAML scalar or a flow collection.
///
/// Plain scalars resolve as YAML 1.2's core schema does (`null`/`~`, `true`/`false`, integers,
/// decimals and `.inf`/`.nan`, anything else is a string); `[…]`, `{…}` and quoted strings nest.
/// Text that does not start with `[`, `{` or a quote is one plain scalar, commas and colons included.
struct FlowValueParser {
    private let characters: [Character]
    private let errorText: String
    private var index = 0

    private init(_ text: String, errorText: String) {
        characters = Array(text)
        self.errorText = errorText
    }

    /// Parses `text`, naming `errorText` (the whole override) in errors.
    static func parse(_ text: String, errorText: String) throws(ConfigurationError) -> ConfigurationValue {
        let trimmed = trim(text)
        guard let first = trimmed.first, "[{\"'".contains(first) else { return resolvePlainScalar(trimmed) }
        var parser = FlowValueParser(trimmed, errorText: errorText)
        let value = try parser.parseValue(terminators: [])
        parser.skipSpaces()
        if parser.index < parser.characters.count {
            throw parser.failure("unexpected '\(parser.characters[parser.index])' after the value")
        }
        return value
    }

    /// The value a plain (unquoted) scalar stands for under YAML 1.2's core schema.
    static func resolvePlainScalar(_ text: String) -> ConfigurationValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null()
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .number(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .number(-.infinity)
        case ".nan", ".NaN", ".NAN": return .number(.nan)
        default: break
        }
        if let integer = Int(text) { return .integer(integer) }
        let numeric = text.allSatisfy { $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }
        if numeric, text.contains(where: \.isNumber), let number = Double(text) { return .number(number) }
        return .string(text)
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

    private mutating func skipSpaces() {
        while let character = current, character == " " || character == "\t" { index += 1 }
    }

    private func failure(_ reason: String) -> ConfigurationError {
        .invalidOverride(text: errorText, reason: reason)
    }

    private mutating func parseValue(terminators: Set<Character>) throws(ConfigurationError) -> ConfigurationValue {
        skipSpaces()
        switch current {
        case "[": return try parseSequence()
        case "{": return try parseMapping()
        case "\"", "'": return .string(try parseQuoted())
        default: return Self.resolvePlainScalar(readPlain(until: terminators))
        }
    }

    private mutating func readPlain(until terminators: Set<Character>) -> String {
        let start = index
        while let character = current, !terminators.contains(character) { index += 1 }
        return Self.trim(String(characters[start..<index]))
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
            let key = current == "\"" || current == "'" ? try parseQuoted() : readPlain(until: [":", ",", "}"])
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
                guard quote == "'", current == "'" else { return text }
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
        }
        throw failure("unterminated \(quote) quoted string")
    }
}
