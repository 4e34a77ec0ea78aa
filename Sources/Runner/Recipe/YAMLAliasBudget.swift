import ScoreKitCore
import Yams

/// Refuses a document whose aliases would expand to more than `ConfigurationLimits.nodeCount`
/// nodes, before Yams composes it: composing hashes mapping keys, and a key that is an alias
/// of a "billion laughs" anchor would take minutes to hash.
///
/// The check composes a copy of the text in which every `*` is a private-use character, so
/// aliases read as plain scalars (same lines and columns, nothing expanded), then counts the
/// nodes in document order, an alias counting every node of its anchor. A text without `*`
/// has no aliases and is not checked.
enum YAMLAliasBudget {
    /// What `*` becomes in the copy: a private-use character no recipe contains, outside the
    /// range `DuplicateKeyRenaming` uses.
    static let aliasMarker: Unicode.Scalar = "\u{F8FF}"

    /// Throws `RecipeError.invalidYAML` at the alias that passes the node limit.
    /// A copy that does not compose is not checked; composing the real text reports its error.
    static func check(_ yaml: String, file: String) throws(RecipeError) {
        guard yaml.utf8.contains(UInt8(ascii: "*")) else { return }
        var scalars = String.UnicodeScalarView()
        for scalar in yaml.unicodeScalars { scalars.append(scalar == "*" ? aliasMarker : scalar) }
        let composed: (parser: Parser, root: Node?, renamedKeys: [String: String])
        do throws(RecipeError) {
            composed = try YAMLLoader.compose(String(scalars), file: file)
        } catch {
            return
        }
        guard let root = composed.root else { return }
        var counter = Counter(file: file)
        _ = try counter.size(of: root)
        withExtendedLifetime(composed.parser) {}
    }

    /// Counts nodes in document order, remembering the expanded size of each anchor.
    private struct Counter {
        let file: String
        var anchorSizes: [String: Int] = [:]
        var produced = 0

        init(file: String) {
            self.file = file
        }

        /// The expanded size of `node`, counted into `produced`.
        mutating func size(of node: Node) throws(RecipeError) -> Int {
            var size = 1
            switch node {
            case .scalar(let scalar):
                if scalar.style == .plain, scalar.string.unicodeScalars.first == YAMLAliasBudget.aliasMarker {
                    size = anchorSizes[String(String.UnicodeScalarView(scalar.string.unicodeScalars.dropFirst()))] ?? 1
                }
                try produce(size, at: scalar.mark)
                remember(scalar.anchor, size)
            case .mapping(let mapping):
                try produce(1, at: mapping.mark)
                for (key, value) in mapping {
                    size += try self.size(of: key)
                    size += try self.size(of: value)
                }
                remember(mapping.anchor, size)
            case .sequence(let sequence):
                try produce(1, at: sequence.mark)
                for element in sequence { size += try self.size(of: element) }
                remember(sequence.anchor, size)
            case .alias:
                try produce(1, at: node.mark)
            }
            return size
        }

        private mutating func remember(_ anchor: Anchor?, _ size: Int) {
            if let anchor { anchorSizes[anchor.rawValue] = size }
        }

        private mutating func produce(_ count: Int, at mark: Mark?) throws(RecipeError) {
            produced += count
            guard produced > ConfigurationLimits.nodeCount else { return }
            throw YAMLLoader.nodeLimitError(
                at: mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) })
        }
    }
}
