/// One `--set path=value` override of a recipe, such as `sampler.churn=0.2`.
///
/// The path is dotted keys (a whole number indexes a sequence); the value is YAML: a scalar
/// (`40`, `0.2`, `1e-3`, `true`, `null`, `heun`, `"quoted text"`) or a flow collection
/// (`[128, 128]`, `{kind: heun, churn: 0.2}`). Apply overrides with
/// `ConfigurationValue.applying(_:)` before components are made, so they are validated and
/// land in `resolved-recipe.yaml` like any other value.
///
/// Plain scalars read as in a recipe file (`PlainScalar`): `0x10` is 16 and `0o17` is 15 on the
/// command line too; ` #` starts a comment (`seed=1 # the usual` sets 1). An override obeys a
/// file's limits (`ConfigurationLimits`): at most 1,000 path parts and levels of nesting,
/// 100,000 nodes, 4,096 bytes per scalar.
///
/// A parsed override is located like a file, its own text being the file (`sourceName(of:)`):
/// each part of the path and each node of the value carries its `SourceLocation` in the
/// argument, so an error in it reads `--set 'training.batchSize=abc':1:20: error: …`.
/// Equality and hashing ignore locations, as `ConfigurationValue`'s do.
public struct ConfigurationOverride: Hashable, Sendable, CustomStringConvertible {
    /// The dotted path of the key to set, such as `sampler.churn`.
    public var path: String
    /// The value to place there.
    public var value: ConfigurationValue
    /// Where each part of `path` was written, for keys the override creates; empty (no
    /// locations) for an override made in code.
    public var keyLocations: [SourceLocation]

    /// Creates an override from its parts; `keyLocations`, if given, has one per part of `path`.
    public init(path: String, value: ConfigurationValue, keyLocations: [SourceLocation] = []) {
        self.path = path
        self.value = value
        self.keyLocations = keyLocations
    }

    /// Compares path and value, ignoring locations.
    public static func == (lhs: ConfigurationOverride, rhs: ConfigurationOverride) -> Bool {
        lhs.path == rhs.path && lhs.value == rhs.value
    }

    /// Hashes path and value, ignoring locations.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(path)
        hasher.combine(value)
    }

    /// Parses `path=value`, splitting at the first `=`.
    /// - Throws: `ConfigurationError.invalidOverride` if there is no `=`, the path is not dotted
    ///   keys, or the value is malformed (an unclosed `[`, say).
    public init(parsing argument: String) throws(ConfigurationError) {
        let shownText = ConfigurationLimits.shortened(argument, to: 80)
        guard let equals = argument.firstIndex(of: "=") else {
            throw .invalidOverride(text: shownText, reason: "expected path=value")
        }
        let written = String(argument[..<equals])
        let path = FlowValueParser.trim(written)
        let shownPath = ConfigurationLimits.shortened(path, to: 60)
        guard let components = ConfigurationValue.pathComponents(path), !components.isEmpty,
            components.allSatisfy({ !$0.contains(where: { $0 == " " || $0 == "\t" }) })
        else {
            throw .invalidOverride(text: shownText, reason: "'\(shownPath)' is not a dotted path of keys")
        }
        let partLimit = ConfigurationLimits.nestingDepth
        guard components.count <= partLimit else {
            throw .invalidOverride(
                text: shownText,
                reason: "the path '\(shownPath)' has \(ConfigurationLimits.formatted(components.count)) parts; "
                    + "the limit is \(ConfigurationLimits.formatted(partLimit))")
        }
        if let long = components.first(where: { $0.utf8.count > ConfigurationLimits.scalarByteCount }) {
            throw .invalidOverride(
                text: shownText,
                reason: "the key '\(ConfigurationLimits.shortened(long))' is longer than the limit of "
                    + "\(ConfigurationLimits.formatted(ConfigurationLimits.scalarByteCount)) bytes")
        }
        let positions = TextPositions(of: argument, file: Self.sourceName(of: argument))
        var keyStart = written.prefix(while: FlowValueParser.isSpace).count
        var keyLocations: [SourceLocation] = []
        for component in components {
            keyLocations.append(positions.location(at: keyStart))
            keyStart += component.count + 1
        }
        let valueText = String(argument[argument.index(after: equals)...])
        let value = try FlowValueParser.parse(
            valueText, errorText: argument, positions: positions, offset: written.count + 1)
        self.init(path: path, value: value, keyLocations: keyLocations)
    }

    /// `path=value`, which `init(parsing:)` reads back.
    public var description: String { "\(path)=\(value)" }

    /// What the locations of a parsed override call it, as a file's name: `--set` and the
    /// argument in single quotes, as a shell would need it (`--set 'sampler.churn=abc'`).
    /// Columns count characters of the argument itself, from 1. An argument of more than 80
    /// bytes or of several lines shows its start, then `…`.
    public static func sourceName(of argument: String) -> String {
        var quoted = ""
        var shownBytes = 0
        for character in argument {
            guard shownBytes + character.utf8.count <= 80, !character.isNewline else {
                quoted += "…"
                break
            }
            shownBytes += character.utf8.count
            quoted += character == "'" ? "'\\''" : String(character)
        }
        return "--set '\(quoted)'"
    }
}

extension ConfigurationValue {
    /// Parses YAML scalar or flow text, as the value half of an override.
    ///
    /// `40` is an integer, `0.2` and `1e-3` numbers, `true` a boolean, `null` or nothing null,
    /// `[128, 128]` a sequence, `{a: 1}` a mapping; anything else is a string.
    /// - Throws: `ConfigurationError.invalidOverride` for malformed flow text.
    public init(parsing text: String) throws(ConfigurationError) {
        self = try FlowValueParser.parse(text, errorText: text)
    }
}
