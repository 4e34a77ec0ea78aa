/// A JSON value as diffusers writes a scheduler config (Python's `json.dumps`): standard JSON
/// plus the `NaN`, `Infinity` and `-Infinity` that Python writes for non-finite floats
/// (`lambda_min_clipped: -Infinity`). Object members keep their order and the line and column
/// of their key, so a refusal can point at what the user wrote.
package indirect enum DiffusersJSON: Equatable, Sendable {
    case null
    case bool(Bool)
    /// A number and its text as written (`1000`, `0.0001`, `-Infinity`).
    case number(Double, text: String)
    case string(String)
    case array([DiffusersJSON])
    case object([Member])

    /// One `"key": value` of an object, located at its key.
    package struct Member: Equatable, Sendable {
        package var key: String
        package var value: DiffusersJSON
        package var line: Int
        package var column: Int
    }

    /// The value as JSON text, shortened to 60 characters, for messages: `"heun"`, `3`, `[0, 1]`.
    package var rendered: String {
        let text: String
        switch self {
        case .null: text = "null"
        case .bool(let value): text = value ? "true" : "false"
        case .number(_, let written): text = written
        case .string(let value): text = "\"" + value + "\""
        case .array(let elements): text = "[" + elements.map(\.rendered).joined(separator: ", ") + "]"
        case .object(let members):
            text = "{" + members.map { "\"\($0.key)\": " + $0.value.rendered }.joined(separator: ", ") + "}"
        }
        return text.count > 60 ? String(text.prefix(57)) + "…" : text
    }

    /// What the value is, for "expected a number, found …" messages.
    package var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }
}

/// A syntax error in a JSON text, at a line and column counted from 1.
package struct DiffusersJSONError: Error, Equatable, Sendable {
    package var problem: String
    package var line: Int
    package var column: Int
}

/// Reads the JSON of a scheduler config: strict JSON but for Python's non-finite numbers; a key
/// written twice in one object is an error at its second occurrence.
package struct DiffusersJSONParser {
    /// Deeper nesting than this is refused (a scheduler config nests two levels).
    static let depthLimit = 100

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1

    /// Parses `text`, which must hold one value and nothing else but whitespace.
    package static func parse(_ text: String) throws(DiffusersJSONError) -> DiffusersJSON {
        var parser = DiffusersJSONParser(bytes: Array(text.utf8))
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.error("unexpected text after the value") }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func error(_ problem: String) -> DiffusersJSONError {
        DiffusersJSONError(problem: problem, line: line, column: column)
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func advance() {
        guard index < bytes.count else { return }
        if bytes[index] == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if bytes[index] & 0xC0 != 0x80 {
            column += 1
        }
        index += 1
        // A continuation byte belongs to the character already counted.
        while index < bytes.count, bytes[index] & 0xC0 == 0x80 { index += 1 }
    }

    private mutating func skipWhitespace() {
        while let byte = current, [0x20, 0x09, 0x0A, 0x0D].contains(byte) { advance() }
    }

    private mutating func expect(_ word: String) throws(DiffusersJSONError) {
        for byte in word.utf8 {
            guard current == byte else { throw error("invalid literal; expected '\(word)'") }
            advance()
        }
    }

    private mutating func value(depth: Int) throws(DiffusersJSONError) -> DiffusersJSON {
        guard depth < Self.depthLimit else { throw error("nesting deeper than \(Self.depthLimit) levels") }
        skipWhitespace()
        guard let byte = current else { throw error("unexpected end of the text; expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try expect("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expect("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expect("null")
            return .null
        case UInt8(ascii: "N"):
            try expect("NaN")
            return .number(.nan, text: "NaN")
        case UInt8(ascii: "I"):
            try expect("Infinity")
            return .number(.infinity, text: "Infinity")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw error("unexpected character '\(Character(Unicode.Scalar(byte)))'; expected a value")
        }
    }

    private mutating func object(depth: Int) throws(DiffusersJSONError) -> DiffusersJSON {
        advance()
        var members: [DiffusersJSON.Member] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            advance()
            return .object([])
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("expected a key in double quotes") }
            let (keyLine, keyColumn) = (line, column)
            let key = try string()
            if members.contains(where: { $0.key == key }) {
                throw DiffusersJSONError(problem: "key '\(key)' written twice", line: keyLine, column: keyColumn)
            }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':' after the key '\(key)'") }
            advance()
            let value = try value(depth: depth + 1)
            members.append(.init(key: key, value: value, line: keyLine, column: keyColumn))
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                advance()
                continue
            }
            guard current == UInt8(ascii: "}") else { throw error("expected ',' or '}' after a member") }
            advance()
            return .object(members)
        }
    }

    private mutating func array(depth: Int) throws(DiffusersJSONError) -> DiffusersJSON {
        advance()
        var elements: [DiffusersJSON] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            advance()
            return .array([])
        }
        while true {
            elements.append(try value(depth: depth + 1))
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                advance()
                continue
            }
            guard current == UInt8(ascii: "]") else { throw error("expected ',' or ']' after an element") }
            advance()
            return .array(elements)
        }
    }

    private mutating func string() throws(DiffusersJSONError) -> String {
        advance()
        var scalars = String.UnicodeScalarView()
        var pendingHigh: UInt32?
        while true {
            guard let byte = current else { throw error("unterminated string") }
            if byte == UInt8(ascii: "\"") {
                advance()
                return String(scalars)
            }
            if byte < 0x20 { throw error("control character in a string") }
            if byte == UInt8(ascii: "\\") {
                advance()
                guard let escape = current else { throw error("unterminated string") }
                advance()
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code: UInt32 = 0
                    for _ in 0..<4 {
                        guard let digit = current.flatMap({ Character(Unicode.Scalar($0)).hexDigitValue }) else {
                            throw error("invalid \\u escape")
                        }
                        code = code * 16 + UInt32(digit)
                        advance()
                    }
                    if let high = pendingHigh, (0xDC00...0xDFFF).contains(code) {
                        pendingHigh = nil
                        let combined = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)
                        scalars.append(Unicode.Scalar(combined) ?? "\u{FFFD}")
                    } else if (0xD800...0xDBFF).contains(code) {
                        pendingHigh = code
                    } else {
                        scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                    }
                    continue
                default: throw error("invalid escape '\\\(Character(Unicode.Scalar(escape)))'")
                }
                pendingHigh = nil
                continue
            }
            // One UTF-8 character: its lead byte and continuation bytes.
            let start = index
            advance()
            scalars.append(contentsOf: String(decoding: bytes[start..<index], as: UTF8.self).unicodeScalars)
        }
    }

    private mutating func number() throws(DiffusersJSONError) -> DiffusersJSON {
        let start = index
        if current == UInt8(ascii: "-") {
            advance()
            if current == UInt8(ascii: "I") {
                try expect("Infinity")
                return .number(-.infinity, text: "-Infinity")
            }
        }
        var digits = 0
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            advance()
            digits += 1
        }
        guard digits > 0 else { throw error("invalid number") }
        if current == UInt8(ascii: ".") {
            advance()
            var fraction = 0
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                advance()
                fraction += 1
            }
            guard fraction > 0 else { throw error("invalid number: no digits after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            advance()
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { advance() }
            var exponent = 0
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                advance()
                exponent += 1
            }
            guard exponent > 0 else { throw error("invalid number: no digits in the exponent") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text) else { throw error("invalid number '\(text)'") }
        return .number(value, text: text)
    }
}
