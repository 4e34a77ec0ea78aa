/// What a plain (unquoted) YAML scalar stands for, one rule for recipe files and `--set` values.
///
/// | text | value |
/// |---|---|
/// | `null`, `Null`, `NULL`, `~`, nothing | null |
/// | `true`, `True`, `TRUE`, `false`, … | a boolean |
/// | `[-+]?[0-9]+`, `0o17`, `0x1F` | an integer (a decimal beyond `Int` becomes a number) |
/// | `[-+]?(\.[0-9]+ or [0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `.inf`, `-.inf`, `.nan` | a number |
/// | anything else | a string |
///
/// This is the YAML 1.2 core schema, which recipe files are read with: `0o17` is 15 and `0x1F`
/// is 31 (YAML 1.2 writes octal `0o17`; YAML 1.1's `017` is the decimal 17 here), and YAML 1.1's
/// `yes`/`no`/`on`/`off` are strings.
package enum PlainScalar {
    /// The value `text`, written plainly, stands for.
    package static func resolve(_ text: String) -> ConfigurationValue.Content {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .number(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .number(-.infinity)
        case ".nan", ".NaN", ".NAN": return .number(.nan)
        default: break
        }
        if let integer = integer(text) { return integer }
        if isFloat(text), let number = Double(text) { return .number(number) }
        return .string(text)
    }

    private static func integer(_ text: String) -> ConfigurationValue.Content? {
        let digits = text.utf8
        if text.hasPrefix("0o"), digits.count > 2, digits.dropFirst(2).allSatisfy({ (48...55).contains($0) }) {
            return Int(text.dropFirst(2), radix: 8).map { .integer($0) }
        }
        if text.hasPrefix("0x"), digits.count > 2, digits.dropFirst(2).allSatisfy(isHexDigit) {
            return Int(text.dropFirst(2), radix: 16).map { .integer($0) }
        }
        let unsigned =
            digits.first == UInt8(ascii: "-") || digits.first == UInt8(ascii: "+") ? digits.dropFirst() : digits[...]
        guard !unsigned.isEmpty, unsigned.allSatisfy(isDigit) else { return nil }
        if let value = Int(text) { return .integer(value) }
        return Double(text).map { .number($0) }
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, matched by hand.
    private static func isFloat(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        let whole = bytes.prefix(while: isDigit)
        bytes = bytes.dropFirst(whole.count)
        var fraction = bytes.prefix(0)
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            fraction = bytes.prefix(while: isDigit)
            bytes = bytes.dropFirst(fraction.count)
        }
        guard !whole.isEmpty || !fraction.isEmpty else { return false }
        guard let e = bytes.first else { return true }
        guard e == UInt8(ascii: "e") || e == UInt8(ascii: "E") else { return false }
        bytes = bytes.dropFirst()
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        return !bytes.isEmpty && bytes.allSatisfy(isDigit)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (48...57).contains(byte) }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (65...70).contains(byte) || (97...102).contains(byte)
    }
}
