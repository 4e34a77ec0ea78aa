import Yams

/// Keeps keys written twice: renames an earlier occurrence in the text without moving any
/// line or column, so Yams (which rejects duplicates while composing) accepts the document.
///
/// The key at `mark` is replaced by a sentinel of as many Unicode scalars, drawn from the
/// private-use area, which no recipe contains; `YAMLLoader` maps sentinels back to the key.
enum DuplicateKeyRenaming {
    /// The text with the key `key` written at `mark` renamed, and the sentinel used; `nil` if
    /// the text at `mark` is not the key written plainly or in quotes (an anchored or
    /// escaped key), and the loader reports the duplicate without renaming.
    static func rename(
        _ key: String, at mark: Mark, in text: String, sentinelIndex: Int
    )
        -> (text: String, sentinel: String)?
    {
        var scalars = Array(text.unicodeScalars)
        guard let start = offset(of: mark, in: scalars) else { return nil }
        let keyScalars = Array(key.unicodeScalars)
        guard !keyScalars.isEmpty else { return nil }
        var keyStart = start
        if let quote = scalars[safe: start], quote == "\"" || quote == "'" {
            keyStart += 1
            guard scalars[safe: keyStart + keyScalars.count] == quote else { return nil }
        }
        guard keyStart + keyScalars.count <= scalars.count,
            Array(scalars[keyStart..<keyStart + keyScalars.count]) == keyScalars
        else { return nil }
        let sentinel = sentinel(index: sentinelIndex, length: keyScalars.count)
        scalars.replaceSubrange(keyStart..<keyStart + keyScalars.count, with: sentinel.unicodeScalars)
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars)
        return (String(result), sentinel)
    }

    /// `length` private-use scalars whose first encodes `index`, so sentinels never collide.
    private static func sentinel(index: Int, length: Int) -> String {
        let base: UInt32 = 0xE000
        let first = Unicode.Scalar(base + UInt32(index % 0x1800) + 1) ?? "\u{E000}"
        var view = String.UnicodeScalarView([first])
        view.append(contentsOf: repeatElement(Unicode.Scalar(base) ?? "\u{E000}", count: length - 1))
        return String(view)
    }

    /// The scalar offset of a 1-based line and column, counting line breaks as libyaml does
    /// (`\n`, `\r\n`, `\r`).
    private static func offset(of mark: Mark, in scalars: [Unicode.Scalar]) -> Int? {
        var line = 1
        var index = 0
        while line < mark.line {
            guard index < scalars.count else { return nil }
            let scalar = scalars[index]
            index += 1
            if scalar == "\r", scalars[safe: index] == "\n" { index += 1 }
            if scalar == "\n" || scalar == "\r" { line += 1 }
        }
        let target = index + mark.column - 1
        return target < scalars.count ? target : nil
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
