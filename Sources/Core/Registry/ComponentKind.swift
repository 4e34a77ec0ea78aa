/// A family of interchangeable components, typed by what its members are made into.
///
/// `Product` is the family's existential, so a registry lookup returns it directly. Protocol
/// owners declare one per family, named as the recipe's top-level key names the axis:
/// ```swift
/// extension ComponentKind where Product == any Sampler {
///     /// Samplers: the `sampler:` section of a recipe.
///     public static var sampler: Self { Self("sampler") }
/// }
/// ```
/// (A computed property, because generic types cannot have static stored properties.)
/// `name` appears in messages: `unknown sampler 'heun2'`, `known samplers: …`.
public struct ComponentKind<Product>: Sendable, Hashable, CustomStringConvertible {
    /// The family's name in messages and listings, singular: `sampler`, `sde`, `loss`.
    public let name: String

    /// A family called `name`.
    public init(_ name: String) {
        self.name = name
    }

    /// The family's name.
    public var description: String { name }
}
