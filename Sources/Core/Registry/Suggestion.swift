/// "Did you mean …?" for misspelled keys, ids and enumeration values.
enum Suggestion {
    /// The candidate closest to `input`, ignoring case, if it is close enough to be a typo.
    ///
    /// Distance is optimal string alignment (insertions, deletions, substitutions and adjacent
    /// transpositions each cost 1). A candidate qualifies within `max(1, min(3, n / 3))` edits,
    /// `n` being the length of `input`, so `heun2` suggests `heun` but `lr` suggests nothing
    /// far away. Ties go to the earlier candidate.
    static func closest(to input: String, among candidates: [String]) -> String? {
        let threshold = max(1, min(3, input.count / 3))
        var best: (candidate: String, distance: Int)?
        for candidate in candidates where candidate != input {
            let distance = editDistance(input.lowercased(), candidate.lowercased())
            if distance <= threshold, distance < best?.distance ?? .max {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// Optimal string alignment distance between `a` and `b`, by characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        // rows[i][j]: distance between a[..<i] and b[..<j]; three rolling rows suffice.
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}
