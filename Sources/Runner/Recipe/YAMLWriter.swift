public import ScoreKitCore

/// Writes a `ConfigurationValue` as block-style YAML that `YAMLLoader` reads back to an equal tree.
///
/// ```yaml
/// sde:
///   kind: variance-preserving
///   betaMin: 0.1
/// network:
///   kind: mlp
///   hiddenWidths: [128, 128]
/// seed: 7
/// ```
/// Mappings are written in block style with their keys in order, two spaces per level;
/// sequences of scalars in flow style on one line, other sequences in block style. Strings
/// are plain when they read back as themselves (`YAMLScalar.isPlainSafe`), else double-quoted;
/// numbers keep their shortest round-tripping digits (`1e-08`, `20.0`, `.inf`).
public enum YAMLWriter {
    /// The YAML text of `value`, ending with a newline; `header` lines become `# ` comments first.
    public static func render(_ value: ConfigurationValue, header: [String] = []) -> String {
        var lines = header.map { $0.isEmpty ? "#" : "# \($0)" }
        if isBlock(value) {
            lines += blockLines(value, indent: 0)
        } else {
            lines.append(inline(value))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A non-empty mapping, or a non-empty sequence holding a collection: written over lines.
    private static func isBlock(_ value: ConfigurationValue) -> Bool {
        switch value.content {
        case .mapping(let entries): !entries.isEmpty
        case .sequence(let elements): elements.contains { $0.entries != nil || $0.elements != nil }
        default: false
        }
    }

    private static func blockLines(_ value: ConfigurationValue, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        switch value.content {
        case .mapping(let entries):
            return entries.flatMap { entry in
                let key = pad + scalar(.string(entry.key)) + ":"
                guard isBlock(entry.value) else { return [key + " " + inline(entry.value)] }
                return [key] + blockLines(entry.value, indent: indent + 2)
            }
        case .sequence(let elements):
            return elements.flatMap { element in
                guard isBlock(element) else { return [pad + "- " + inline(element)] }
                var nested = blockLines(element, indent: indent + 2)
                nested[0] = pad + "- " + nested[0].dropFirst(indent + 2)
                return nested
            }
        default:
            return [pad + inline(value)]
        }
    }

    /// A scalar, or a collection in flow style: `[128, 128]`, `{}`.
    private static func inline(_ value: ConfigurationValue) -> String {
        switch value.content {
        case .sequence(let elements): "[" + elements.map(inline).joined(separator: ", ") + "]"
        case .mapping(let entries):
            "{" + entries.map { scalar(.string($0.key)) + ": " + inline($0.value) }.joined(separator: ", ") + "}"
        default: scalar(value.content)
        }
    }

    private static func scalar(_ content: ConfigurationValue.Content) -> String {
        switch content {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .integer(let value): return String(value)
        case .number(let value):
            if value.isNaN { return ".nan" }
            if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
            return value.description
        case .string(let text): return YAMLScalar.isPlainSafe(text) ? text : quoted(text)
        case .sequence, .mapping: return inline(ConfigurationValue(content))
        }
    }

    /// `text` double-quoted, with YAML's escapes for quotes, backslashes and control characters.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
