/// One `--set path=value` override of a recipe, such as `sampler.churn=0.2`.
///
/// The path is dotted keys (a whole number indexes a sequence); the value is YAML: a scalar
/// (`40`, `0.2`, `1e-3`, `true`, `null`, `heun`, `"quoted text"`) or a flow collection
/// (`[128, 128]`, `{kind: heun, churn: 0.2}`). Apply overrides with
/// `ConfigurationValue.applying(_:)` before components are made, so they are validated and
/// land in `resolved-recipe.yaml` like any other value.
public struct ConfigurationOverride: Hashable, Sendable, CustomStringConvertible {
    /// The dotted path of the key to set, such as `sampler.churn`.
    public var path: String
    /// The value to place there.
    public var value: ConfigurationValue

    /// Creates an override from its parts.
    public init(path: String, value: ConfigurationValue) {
        self.path = path
        self.value = value
    }

    /// Parses `path=value`, splitting at the first `=`.
    /// - Throws: `ConfigurationError.invalidOverride` if there is no `=`, the path is not dotted
    ///   keys, or the value is malformed (an unclosed `[`, say).
    public init(parsing argument: String) throws(ConfigurationError) {
        guard let equals = argument.firstIndex(of: "=") else {
            throw .invalidOverride(text: argument, reason: "expected path=value")
        }
        let path = FlowValueParser.trim(String(argument[..<equals]))
        guard let components = ConfigurationValue.pathComponents(path), !components.isEmpty,
            components.allSatisfy({ !$0.contains(where: { $0 == " " || $0 == "\t" }) })
        else {
            throw .invalidOverride(text: argument, reason: "'\(path)' is not a dotted path of keys")
        }
        let valueText = String(argument[argument.index(after: equals)...])
        self.init(path: path, value: try FlowValueParser.parse(valueText, errorText: argument))
    }

    /// `path=value`, which `init(parsing:)` reads back.
    public var description: String { "\(path)=\(value)" }
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
