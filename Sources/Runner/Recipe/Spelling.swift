/// "Did you mean …?" for recipe keys and family names, by the same rule as Core's registry.
///
/// (Core's own helper is internal to Core; this copies its rule so both read alike.)
package enum Spelling {
    /// The candidate closest to `input`, ignoring case, if within `max(1, min(3, n / 3))` edits
    /// (optimal string alignment distance; `n` is the length of `input`); ties go to the earlier one.
    package static func closest(to input: String, among candidates: [String]) -> String? {
        let threshold = max(1, min(3, input.count / 3))
        var best: (candidate: String, distance: Int)?
        for candidate in candidates where candidate != input {
            let distance = editDistance(Array(input.lowercased()), Array(candidate.lowercased()))
            if distance <= threshold, distance < best?.distance ?? .max {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
