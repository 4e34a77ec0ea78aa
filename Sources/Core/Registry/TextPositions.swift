/// The location of each character of one text, such as a `--set` argument, by its offset.
///
/// Lines and columns count from 1 and columns count characters, as in `SourceLocation`;
/// a newline ends a line. Looking an offset up costs O(log lines).
struct TextPositions: Sendable {
    /// The name the locations carry in their `file`.
    let file: String
    /// The offset of each line's first character; the first line starts at 0.
    private let lineStarts: [Int]

    /// The positions of the characters of `text`, named `file`.
    init(of text: String, file: String) {
        var starts = [0]
        for (offset, character) in text.enumerated() where character.isNewline {
            starts.append(offset + 1)
        }
        self.file = file
        lineStarts = starts
    }

    /// Where the character at `offset` (counting from 0) is.
    func location(at offset: Int) -> SourceLocation {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return SourceLocation(file: file, line: low + 1, column: offset - lineStarts[low] + 1)
    }
}
