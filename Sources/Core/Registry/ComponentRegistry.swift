/// The one place recipe text becomes components: ids, per family, mapped to component types.
///
/// Registration is an explicit list, built once by the composition root (the CLI) or by a
/// test; after that the registry is an immutable `Sendable` value.
/// ```swift
/// var registry = ComponentRegistry()
/// registry.register(HeunSampler.self, as: .sampler) { $0 }
/// let sampler = try registry.make(.sampler, from: ["kind": "heun", "churn": 0.2])
/// ```
/// Family owners add one-line conveniences on top (`register(sampler:)`); a recipe section
/// is a mapping whose `kind` is an id and whose other keys are that component's
/// `Configuration`.
public struct ComponentRegistry: Sendable {
    /// One registered component, as `scorekit list` shows it.
    public struct Entry: Sendable, Hashable {
        /// The family's name, such as `sampler`.
        public let kind: String
        /// The component's id.
        public let id: ComponentID
        /// The component's one-line summary.
        public let summary: String
        /// `Configuration()` encoded: every key with its default, in declaration order.
        public let defaults: ConfigurationValue
    }

    /// A component made from a recipe section, with the section as it was resolved.
    public struct Resolved<Product> {
        /// The component, as its family's type.
        public let product: Product
        /// The component's id.
        public let id: ComponentID
        /// `kind` first, then every configuration key, defaults filled: what
        /// `resolved-recipe.yaml` writes for this section. It carries no locations.
        public let configuration: ConfigurationValue
    }

    private struct FamilyKey: Hashable, Sendable {
        let name: String
        let product: ObjectIdentifier

        init<Product>(_ kind: ComponentKind<Product>) {
            name = kind.name
            product = ObjectIdentifier(Product.self)
        }
    }

    private struct Factory<Product>: Sendable {
        let build:
            @Sendable (
                _ settings: ConfigurationValue, _ path: String, _ component: String, _ registry: ComponentRegistry
            ) throws(ConfigurationError) -> Resolved<Product>
    }

    private struct Family: Sendable {
        let name: String
        var entries: [ComponentID: Entry] = [:]
        var typeNames: [ComponentID: String] = [:]
        /// Each a `Factory<Product>` for the family's `Product`.
        var factories: [ComponentID: any Sendable] = [:]
    }

    private var families: [FamilyKey: Family] = [:]
    private var familyOrder: [FamilyKey] = []

    /// An empty registry.
    public init() {}

    /// Registers `type` in `kind`'s family; `upcast` turns it into the family's type (`{ $0 }`).
    ///
    /// Registering an id twice in one family is a programming error: a `precondition` failure
    /// naming the id and both types.
    public mutating func register<C: RegisteredComponent, Product>(
        _ type: C.Type, as kind: ComponentKind<Product>, _ upcast: @escaping @Sendable (C) -> Product
    ) {
        let key = FamilyKey(kind)
        var family = families[key] ?? Family(name: kind.name)
        if let existing = family.typeNames[C.id] {
            preconditionFailure(
                "\(kind.name) '\(C.id)' is registered twice: by \(existing) and by \(String(reflecting: C.self))")
        }
        family.typeNames[C.id] = String(reflecting: C.self)
        family.entries[C.id] = Entry(
            kind: kind.name, id: C.id, summary: C.summary, defaults: C.Configuration.schema)
        family.factories[C.id] = Factory<Product> { settings, path, component, registry throws(ConfigurationError) in
            let configuration = try C.Configuration.decode(
                from: settings, path: path, component: component, registry: registry)
            let made: C
            do throws(ConfigurationError) {
                made = try C(configuration: configuration)
            } catch {
                throw error.locating(in: settings, path: path)
            }
            let keys = try ConfigurationEncoder().encode(configuration, path: path).entries ?? []
            let kindEntry = ConfigurationValue.Entry(key: "kind", value: .string(C.id.rawValue))
            return Resolved(product: upcast(made), id: C.id, configuration: .mapping([kindEntry] + keys))
        }
        if families[key] == nil { familyOrder.append(key) }
        families[key] = family
    }

    /// Makes the component a recipe section names; see `resolve(_:from:path:)`.
    public func make<Product>(
        _ kind: ComponentKind<Product>, from value: ConfigurationValue, path: String? = nil
    )
        throws(ConfigurationError) -> Product
    {
        try resolve(kind, from: value, path: path).product
    }

    /// Makes the component a recipe section names, with the section resolved.
    ///
    /// `value` is a mapping: `kind` is an id of `kind`'s family, every other key belongs to
    /// that component's `Configuration` (missing keys take defaults; see
    /// `ComponentConfiguration.decode(from:path:component:)`). `path` is where the section
    /// sits in the recipe, for messages; it defaults to the family's name.
    /// - Throws: `missingKind`, `unknownComponent` (listing known ids and a suggestion),
    ///   `typeMismatch`, `duplicateKey`, and whatever decoding and validation throw.
    public func resolve<Product>(
        _ kind: ComponentKind<Product>, from value: ConfigurationValue, path: String? = nil
    )
        throws(ConfigurationError) -> Resolved<Product>
    {
        let path = path ?? kind.name
        let family = families[FamilyKey(kind)]
        let known = ids(of: kind).map(\.rawValue)
        guard let entries = value.entries else {
            if value.isNull { throw .missingKind(kind: kind.name, path: path, known: known, location: value.location) }
            throw .typeMismatch(
                path: path, expected: "a mapping with a 'kind' key", found: value.foundDescription,
                location: value.location)
        }
        if let duplicate = value.firstDuplicateEntry {
            throw .duplicateKey(path: path, key: duplicate.key, location: duplicate.keyLocation ?? value.location)
        }
        guard let kindEntry = entries.first(where: { $0.key == "kind" }) else {
            throw .missingKind(kind: kind.name, path: path, known: known, location: value.location)
        }
        let idLocation = kindEntry.value.location ?? kindEntry.keyLocation ?? value.location
        guard let text = kindEntry.value.stringValue else {
            throw .typeMismatch(
                path: ConfigurationValue.joinPath(path, "kind"), expected: "a string",
                found: kindEntry.value.foundDescription, location: idLocation)
        }
        guard let id = ComponentID(rawValue: text), let stored = family?.factories[id] else {
            throw .unknownComponent(
                kind: kind.name, id: text, known: known, suggestion: Suggestion.closest(to: text, among: known),
                location: idLocation)
        }
        guard let factory = stored as? Factory<Product> else {
            preconditionFailure("\(kind.name) '\(id)' is stored with the wrong product type")
        }
        let settings = ConfigurationValue.mapping(entries.filter { $0.key != "kind" }, at: value.location)
        return try factory.build(settings, path, "\(kind.name) '\(id)'", self)
    }

    /// Resolves a section in the family whose product is `Product`: how a nested section
    /// (`NestedComponent<any Sampler>`) finds its family without naming it. When several
    /// families make `Product`, the first registered is used.
    /// - Throws: as `resolve(_:from:path:)`; `unknownComponent` listing no ids when no family makes `Product`.
    public func resolve<Product>(
        producing product: Product.Type, from value: ConfigurationValue, path: String
    ) throws(ConfigurationError) -> Resolved<Product> {
        let identifier = ObjectIdentifier(Product.self)
        guard let key = familyOrder.first(where: { $0.product == identifier }) else {
            let written = value["kind"]?.stringValue ?? value.description
            throw .unknownComponent(
                kind: "\(Product.self)", id: written, known: [], suggestion: nil,
                location: value["kind"]?.location ?? value.location)
        }
        return try resolve(ComponentKind<Product>(key.name), from: value, path: path)
    }

    /// The ids registered in `kind`'s family, sorted.
    public func ids<Product>(of kind: ComponentKind<Product>) -> [ComponentID] {
        families[FamilyKey(kind)]?.entries.keys.sorted() ?? []
    }

    /// The components registered in `kind`'s family, sorted by id.
    public func entries<Product>(of kind: ComponentKind<Product>) -> [Entry] {
        Self.sorted(families[FamilyKey(kind)])
    }

    /// Every registered component: families in the order first registered, ids sorted within each.
    public var allEntries: [Entry] {
        familyOrder.flatMap { Self.sorted(families[$0]) }
    }

    private static func sorted(_ family: Family?) -> [Entry] {
        (family?.entries.values).map { $0.sorted { $0.id < $1.id } } ?? []
    }
}

extension ComponentRegistry.Resolved: Sendable where Product: Sendable {}

extension ComponentRegistry {
    /// This registry with only the families named in `names` (`["loss", "network"]`): a
    /// partial registry, such as a test's that lists only its own forward processes.
    public func keeping(familiesNamed names: Set<String>) -> ComponentRegistry {
        var copy = self
        copy.families = families.filter { names.contains($0.key.name) }
        copy.familyOrder = familyOrder.filter { names.contains($0.name) }
        return copy
    }

    /// This registry with more components: `body` registers them on a copy.
    ///
    /// ```swift
    /// let registry = ComponentRegistry.standard().adding { $0.register(sampler: RalstonSampler.self) }
    /// ```
    /// Registering an id its family already has is a `precondition` failure, as for `register`.
    public func adding(_ body: (inout ComponentRegistry) -> Void) -> ComponentRegistry {
        var copy = self
        body(&copy)
        return copy
    }
}
