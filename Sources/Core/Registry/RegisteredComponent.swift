/// A component a recipe can name: an id, a one-line summary, and a configuration to build from.
///
/// ```swift
/// extension HeunSampler: RegisteredComponent {
///     public static let id: ComponentID = "heun"
///     public static let summary = "Heun's 2nd-order probability-flow sampler"
/// }
/// ```
/// Register it under its family with `ComponentRegistry.register(_:as:_:)`, usually through
/// the family's one-line convenience such as `register(sampler:)`.
public protocol RegisteredComponent: Sendable {
    /// The settings this component is built from; `Configuration()` holds the defaults.
    associatedtype Configuration: ComponentConfiguration

    /// The recipe's `kind:` for this component; unique within its family.
    static var id: ComponentID { get }

    /// One line for `scorekit list`, such as "Heun's 2nd-order probability-flow sampler".
    static var summary: String { get }

    /// Builds the component from a decoded, validated configuration.
    ///
    /// Throw `ConfigurationError` for combinations `validate()` cannot judge alone; an
    /// `outOfRange` error gets the recipe path and location added, as from `validate()`.
    init(configuration: Configuration) throws(ConfigurationError)
}
