import Foundation
public import ScoreKitCore
import Yams

/// Reads YAML text into Core's `ConfigurationValue`, with a `SourceLocation` on every value
/// and every mapping key, so later errors point at what the user wrote.
///
/// ```swift
/// let tree = try YAMLLoader.parse("sampler: { kind: heun, churn: 0.2 }\n", file: "r.yaml")
/// tree["sampler"]?["churn"]?.location   // r.yaml:1:33
/// ```
/// - Plain scalars are typed by the YAML 1.2 core schema (`YAMLScalar`); quoted and block
///   scalars stay strings; the standard tags `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`
///   are honoured, other tags are an error.
/// - Keys written twice are kept, both of them, in order, so the registry reports
///   `duplicate key` at the second one. (Yams rejects duplicates while composing; the loader
///   renames the earlier key in place, keeping every line and column, and composes again.)
/// - Aliases are expanded; anchors and merge keys (`<<`) have no special meaning.
/// - Syntax errors become `RecipeError.invalidYAML` with file:line:column and libyaml's message.
/// - Limits (`ConfigurationLimits`): a file of at most 1,048,576 bytes (only that much is read),
///   100,000 nodes counted after aliases are expanded (so a "billion laughs" document stops
///   early), 4,096 bytes per scalar or key, 1,000 levels of nesting (libyaml's own limit).
///   Each is an `invalidYAML` error at the line and column where the limit was passed.
public enum YAMLLoader {
    /// The tree of the YAML file at `path`; locations name `path` as given.
    /// - Throws: `RecipeError.fileNotFound`, `.fileAccessFailed` (a folder, not UTF-8),
    ///   and whatever `parse(_:file:)` throws.
    public static func load(contentsOf path: String) throws(RecipeError) -> ConfigurationValue {
        try parse(readText(at: path), file: path)
    }

    /// The text of the file at `path`, as UTF-8; a file longer than
    /// `ConfigurationLimits.documentByteCount` is refused after reading one byte more than that.
    static func readText(at path: String) throws(RecipeError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .fileNotFound(path: path)
        }
        guard !isDirectory.boolValue else { throw .fileAccessFailed(path: path, reason: "it is a folder") }
        let limit = ConfigurationLimits.documentByteCount
        let data: Data
        do {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw RecipeError.fileAccessFailed(path: path, reason: "permission denied")
            }
            defer { try? handle.close() }
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch let error as RecipeError {
            throw error
        } catch {
            throw .fileAccessFailed(path: path, reason: error.localizedDescription)
        }
        try checkSize([UInt8](data), file: path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw .fileAccessFailed(path: path, reason: "it is not UTF-8 text")
        }
        return text
    }

    /// The tree of one YAML document; an empty document is `null`.
    ///
    /// `file` is what locations and messages call the text (a path, or `<command line>`).
    /// - Throws: `RecipeError.invalidYAML` for malformed text or more than one document,
    ///   `.unsupportedYAML` for unknown tags and collections used as keys.
    public static func parse(_ yaml: String, file: String) throws(RecipeError) -> ConfigurationValue {
        try checkSize(Array(yaml.utf8), file: file)
        try YAMLAliasBudget.check(yaml, file: file)
        let composed = try compose(yaml, file: file)
        guard let root = composed.root else { return .null(at: SourceLocation(file: file, line: 1, column: 1)) }
        var converter = NodeConverter(file: file, renamedKeys: composed.renamedKeys)
        return try converter.convert(root)
    }

    /// The composed document, keys written twice renamed (`DuplicateKeyRenaming`), with the
    /// parser that made it (it owns the anchors the nodes refer to weakly).
    static func compose(
        _ yaml: String, file: String
    ) throws(RecipeError) -> (parser: Parser, root: Node?, renamedKeys: [String: String]) {
        var text = yaml
        var renamedKeys: [String: String] = [:]
        // Each renaming composes the document again: about 256 KiB of text in all, so a file
        // full of repeated keys costs one pass or a few (a big one reports its first repeat).
        let renamingLimit = min(6_000, ConfigurationLimits.documentByteCount / 4 / max(yaml.utf8.count, 1))
        while true {
            do {
                let parser = try Parser(yaml: text, resolver: .basic)
                return (parser, try parser.singleRoot(), renamedKeys)
            } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
                guard let key = duplicates.first, renamedKeys.count < renamingLimit,
                    let renamed = DuplicateKeyRenaming.rename(
                        key, at: context.mark, in: text, sentinelIndex: renamedKeys.count)
                else {
                    let location = SourceLocation(file: file, line: context.mark.line, column: context.mark.column)
                    throw .configuration(.duplicateKey(path: "", key: duplicates.first ?? "?", location: location))
                }
                renamedKeys[renamed.sentinel] = key
                text = renamed.text
            } catch {
                throw syntaxError(error, yaml: yaml, file: file)
            }
        }
    }

    /// The error for a document of more than `ConfigurationLimits.nodeCount` nodes.
    static func nodeLimitError(at location: SourceLocation?) -> RecipeError {
        .invalidYAML(
            problem: "the recipe has more than \(ConfigurationLimits.formatted(ConfigurationLimits.nodeCount)) nodes "
                + "(the limit), aliases expanded",
            context: "each use of an alias (*name) counts every node of its anchor again; write fewer values",
            location: location, snippet: nil)
    }

    /// Throws when `bytes` (a file's first bytes, or a whole text) pass
    /// `ConfigurationLimits.documentByteCount`, at the line and column of the first byte too many.
    static func checkSize(_ bytes: [UInt8], file: String) throws(RecipeError) {
        let limit = ConfigurationLimits.documentByteCount
        guard bytes.count > limit else { return }
        var line = 1
        var lineStart = 0
        for (offset, byte) in bytes.prefix(limit).enumerated() where byte == UInt8(ascii: "\n") {
            line += 1
            lineStart = offset + 1
        }
        throw .invalidYAML(
            problem: "the file is longer than \(ConfigurationLimits.formatted(limit)) bytes (the limit)",
            context: "recipes are a few kilobytes; is this the right file?",
            location: SourceLocation(file: file, line: line, column: limit - lineStart + 1), snippet: nil)
    }

    /// A Yams error as a recipe error at file:line:column.
    static func syntaxError(_ error: any Error, yaml: String, file: String) -> RecipeError {
        func located(_ mark: Mark) -> SourceLocation {
            SourceLocation(file: file, line: mark.line, column: mark.column)
        }
        func context(_ context: YamlError.Context?) -> String? {
            context.map { "\($0.text) at \($0.mark.line):\($0.mark.column)" }
        }
        guard let yamlError = error as? YamlError else {
            return .invalidYAML(problem: "\(error)", context: nil, location: nil, snippet: nil)
        }
        switch yamlError {
        case .scanner(let ctx, let problem, let mark, _), .parser(let ctx, let problem, let mark, _),
            .composer(let ctx, let problem, let mark, _):
            return .invalidYAML(
                problem: problem, context: context(ctx), location: located(mark), snippet: mark.snippet(from: yaml))
        case .reader(let problem, let offset, _, _):
            let location = offset.map { characterOffset in
                var line = 1
                var column = 1
                for character in yaml.prefix(characterOffset) {
                    if character.isNewline { (line, column) = (line + 1, 1) } else { column += 1 }
                }
                return SourceLocation(file: file, line: line, column: column)
            }
            return .invalidYAML(problem: problem, context: nil, location: location, snippet: nil)
        default:
            return .invalidYAML(problem: "\(yamlError)", context: nil, location: nil, snippet: nil)
        }
    }
}

/// Turns a composed `Node` into a `ConfigurationValue`, resolving scalars and locations.
private struct NodeConverter {
    let file: String
    /// Sentinel keys the loader wrote over earlier duplicates, mapped back to the real key.
    let renamedKeys: [String: String]
    /// Nodes made so far; an alias counts its whole tree again, as it is expanded.
    private var nodeCount = 0

    init(file: String, renamedKeys: [String: String]) {
        self.file = file
        self.renamedKeys = renamedKeys
    }

    private static let standardCollectionTags: Set<String> = [
        "", "!", Tag.Name.map.rawValue, Tag.Name.seq.rawValue,
    ]

    func location(_ mark: Mark?) -> SourceLocation? {
        mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) }
    }

    mutating func convert(_ node: Node) throws(RecipeError) -> ConfigurationValue {
        nodeCount += 1
        guard nodeCount <= ConfigurationLimits.nodeCount else {
            throw YAMLLoader.nodeLimitError(at: location(node.mark))
        }
        switch node {
        case .scalar(let scalar):
            return try convert(scalar)
        case .mapping(let mapping):
            try checkCollectionTag(mapping.tag, mark: mapping.mark)
            var entries: [ConfigurationValue.Entry] = []
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw .unsupportedYAML(what: "a mapping or sequence used as a key", location: location(key.mark))
                }
                try checkLength(keyScalar)
                let text = renamedKeys[keyScalar.string] ?? keyScalar.string
                entries.append(.init(key: text, value: try convert(value), keyLocation: location(keyScalar.mark)))
            }
            return .mapping(entries, at: location(mapping.mark))
        case .sequence(let sequence):
            try checkCollectionTag(sequence.tag, mark: sequence.mark)
            var elements: [ConfigurationValue] = []
            for element in sequence { elements.append(try convert(element)) }
            return .sequence(elements, at: location(sequence.mark))
        case .alias(let alias):
            throw .unsupportedYAML(what: "an unresolved alias", location: location(alias.mark))
        }
    }

    private func checkCollectionTag(_ tag: Tag, mark: Mark?) throws(RecipeError) {
        guard Self.standardCollectionTags.contains(tag.rawValue) else {
            throw .unsupportedYAML(what: "the tag '\(tag.rawValue)'", location: location(mark))
        }
    }

    /// Throws when a scalar is longer than `ConfigurationLimits.scalarByteCount`.
    private func checkLength(_ scalar: Node.Scalar) throws(RecipeError) {
        let limit = ConfigurationLimits.scalarByteCount
        let count = scalar.string.utf8.count
        guard count > limit else { return }
        throw .invalidYAML(
            problem: "the scalar '\(ConfigurationLimits.shortened(scalar.string))' is longer than "
                + "\(ConfigurationLimits.formatted(limit)) bytes (the limit)",
            context: nil, location: location(scalar.mark), snippet: nil)
    }

    private func convert(_ scalar: Node.Scalar) throws(RecipeError) -> ConfigurationValue {
        try checkLength(scalar)
        let at = location(scalar.mark)
        let text = scalar.string
        let tag = scalar.tag.rawValue
        switch tag {
        case "":
            let content = scalar.style == .plain ? YAMLScalar.resolve(plain: text) : .string(text)
            return ConfigurationValue(content, location: at)
        case "!", Tag.Name.str.rawValue:
            return .string(text, at: at)
        default:
            break
        }
        let resolved = YAMLScalar.resolve(plain: text)
        let content: ConfigurationValue.Content
        switch (tag, resolved) {
        case (Tag.Name.int.rawValue, .integer): content = resolved
        case (Tag.Name.float.rawValue, .number): content = resolved
        case (Tag.Name.float.rawValue, .integer(let value)): content = .number(Double(value))
        case (Tag.Name.bool.rawValue, .bool): content = resolved
        case (Tag.Name.null.rawValue, .null): content = resolved
        case (Tag.Name.int.rawValue, _), (Tag.Name.float.rawValue, _), (Tag.Name.bool.rawValue, _),
            (Tag.Name.null.rawValue, _):
            let name = "!!" + (tag.split(separator: ":").last.map(String.init) ?? tag)
            throw .invalidYAML(problem: "'\(text)' is not a valid \(name)", context: nil, location: at, snippet: nil)
        default:
            throw .unsupportedYAML(what: "the tag '\(tag)'", location: at)
        }
        return ConfigurationValue(content, location: at)
    }
}
