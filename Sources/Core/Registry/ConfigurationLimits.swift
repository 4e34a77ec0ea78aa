/// The most a recipe (a file, or the value of a `--set` override) may hold, so that no input
/// exhausts memory, time or the stack before it is refused.
///
/// | limit | value | counts |
/// |---|---|---|
/// | `documentByteCount` | 1,048,576 | bytes of a recipe file (a `--set` argument too) |
/// | `nodeCount` | 100,000 | scalars, sequences and mappings, each alias expansion counted again |
/// | `scalarByteCount` | 4,096 | UTF-8 bytes of one scalar or key (a path fits: Linux allows 4,096) |
/// | `nestingDepth` | 1,000 | collections inside one another; also the parts of a `--set` path |
///
/// Recipes are a few kilobytes; every limit is far above what a real one needs. A "billion
/// laughs" document (aliases of aliases) stops at `nodeCount`, whatever its size in bytes.
package enum ConfigurationLimits {
    /// The most bytes a recipe file, or one `--set` argument, may have.
    package static let documentByteCount = 1_048_576
    /// The most nodes a recipe may expand to, aliases expanded.
    package static let nodeCount = 100_000
    /// The most UTF-8 bytes of one scalar or mapping key.
    package static let scalarByteCount = 4_096
    /// The most levels of collections inside one another, as libyaml allows in a file.
    package static let nestingDepth = 1_000

    /// `value` with thousands separators (`1,048,576`), as limits are written in messages.
    package static func formatted(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    /// `text` as messages show it: whole when short, else its start, `…` and its length, so an
    /// error about a 50 MB value stays one short line.
    package static func shortened(_ text: String, to length: Int = 40) -> String {
        guard text.utf8.count > length else { return text }
        var start = ""
        for character in text {
            guard start.utf8.count + character.utf8.count <= length, !character.isNewline else { break }
            start.append(character)
        }
        return start + "… (\(formatted(text.utf8.count)) bytes)"
    }
}
