extension ConfigurationValue {
    /// The node at a dotted path such as `sampler.churn`, or `nil` if there is none.
    ///
    /// Each component is a mapping key; on a sequence, a component that is a whole number is an
    /// index from 0 (`network.hiddenWidths.1`). The empty path is this node.
    public func value(atPath path: String) -> ConfigurationValue? {
        guard let components = Self.pathComponents(path) else { return nil }
        var node = self
        for component in components {
            if let elements = node.elements {
                guard let index = Int(component), elements.indices.contains(index) else { return nil }
                node = elements[index]
            } else {
                guard let child = node[component] else { return nil }
                node = child
            }
        }
        return node
    }

    /// This tree with `newValue` placed at a dotted path, as `--set sampler.churn=0.2` does.
    ///
    /// Missing keys and `null` nodes on the way become mappings, so `--set sampler.churn=0.2`
    /// works on a recipe without `sampler`; a sequence element must already exist. The path
    /// must not pass through a scalar. Setting a section's `kind` to another kind replaces the
    /// section with `{kind: new}`: its other keys configured the old component (in a resolved
    /// recipe, all of its defaults), as a config group's choice does in Hydra; later overrides
    /// set the new kind's keys (`--set sampler.kind=ddim --set sampler.eta=0.5`).
    /// Keys already in the tree keep their locations; `newValue` brings its own.
    /// - Throws: `ConfigurationError.invalidOverride` if the path is malformed or blocked.
    public func setting(
        _ newValue: ConfigurationValue, atPath path: String
    ) throws(ConfigurationError)
        -> ConfigurationValue
    {
        try setting(newValue, atPath: path, overrideText: "\(path)=\(newValue)")
    }

    /// Places `newValue` at a dotted path; see `setting(_:atPath:)`.
    public mutating func set(_ newValue: ConfigurationValue, atPath path: String) throws(ConfigurationError) {
        self = try setting(newValue, atPath: path)
    }

    /// This tree with each override applied in order, so a later one wins. Keys an override
    /// creates take its `keyLocations`; a mapping it creates is located at its first key.
    public func applying(_ overrides: [ConfigurationOverride]) throws(ConfigurationError) -> ConfigurationValue {
        var result = self
        for override in overrides {
            result = try result.setting(
                override.value, atPath: override.path, overrideText: override.description,
                keyLocations: override.keyLocations)
        }
        return result
    }

    /// `setting(_:atPath:)`, naming `overrideText` in errors; `keyLocations` locates the keys
    /// it creates, one per part of `path` (or none).
    func setting(
        _ newValue: ConfigurationValue, atPath path: String, overrideText: String,
        keyLocations: [SourceLocation] = []
    )
        throws(ConfigurationError) -> ConfigurationValue
    {
        guard let components = Self.pathComponents(path), !components.isEmpty else {
            throw .invalidOverride(text: overrideText, reason: "'\(path)' is not a dotted path of keys")
        }
        let path = OverridePath(components: components, keyLocations: keyLocations, text: overrideText)
        return try setting(newValue, along: path, depth: 0)
    }

    /// The parts of an override's path with their locations, and its text for errors.
    private struct OverridePath {
        var components: [String]
        var keyLocations: [SourceLocation]
        var text: String

        /// Where the part at `depth` was written, if known.
        func keyLocation(at depth: Int) -> SourceLocation? {
            keyLocations.indices.contains(depth) ? keyLocations[depth] : nil
        }

        /// The parts before `depth`, dotted.
        func walked(to depth: Int) -> String {
            components[..<depth].joined(separator: ".")
        }
    }

    private func setting(
        _ newValue: ConfigurationValue, along path: OverridePath, depth: Int
    ) throws(ConfigurationError) -> ConfigurationValue {
        guard depth < path.components.count else { return newValue }
        let component = path.components[depth]
        let isLast = depth + 1 == path.components.count
        let keyLocation = path.keyLocation(at: depth)
        switch content {
        case .null:
            let child = try ConfigurationValue.null().setting(newValue, along: path, depth: depth + 1)
            return .mapping(
                [Entry(key: component, value: child, keyLocation: keyLocation)], at: location ?? keyLocation)
        case .mapping(var entries):
            if let index = entries.firstIndex(where: { $0.key == component }) {
                let child = entries[index].value
                if component == Self.kindKey, isLast, child.description != newValue.description {
                    // Another component: the other keys were the old kind's (or its defaults).
                    let kind = Entry(key: component, value: newValue, keyLocation: entries[index].keyLocation)
                    return .mapping([kind], at: location)
                }
                entries[index].value = try child.setting(newValue, along: path, depth: depth + 1)
            } else {
                let child = try ConfigurationValue.null().setting(newValue, along: path, depth: depth + 1)
                entries.append(Entry(key: component, value: child, keyLocation: keyLocation))
            }
            return .mapping(entries, at: location)
        case .sequence(var elements):
            guard let index = Int(component), elements.indices.contains(index) else {
                let reason =
                    "'\(path.walked(to: depth))' is a sequence of \(elements.count) elements; "
                    + "'\(component)' is not an index from 0 to \(elements.count - 1)"
                throw .invalidOverride(text: path.text, reason: reason)
            }
            elements[index] = try elements[index].setting(newValue, along: path, depth: depth + 1)
            return .sequence(elements, at: location)
        case .bool, .integer, .number, .string:
            let reason = "'\(path.walked(to: depth))' is \(typeDescription), not a mapping"
            throw .invalidOverride(text: path.text, reason: reason)
        }
    }

    /// The key that names a section's component (`sampler.kind`).
    static let kindKey = "kind"

    /// The components of a dotted path, or `nil` if one is empty; `""` has none.
    static func pathComponents(_ path: String) -> [String]? {
        if path.isEmpty { return [] }
        let components = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        return components.contains(where: \.isEmpty) ? nil : components
    }

    /// `base.key`, or `key` alone when `base` is empty.
    static func joinPath(_ base: String, _ key: String) -> String {
        base.isEmpty ? key : key.isEmpty ? base : "\(base).\(key)"
    }
}
