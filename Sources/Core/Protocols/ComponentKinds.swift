/// The families of components a recipe composes, one per axis (STYLE.md §1.2), with the
/// one-line registration conveniences their plugin modules call.
extension ComponentKind where Product == any ForwardSDE {
    /// Forward processes: the `sde:` section of a recipe.
    public static var sde: Self { Self("sde") }
}

extension ComponentKind where Product == any Parameterization {
    /// Prediction targets: the `parameterization:` section.
    public static var parameterization: Self { Self("parameterization") }
}

extension ComponentKind where Product == any Loss {
    /// Training objectives: the `loss:` section.
    public static var loss: Self { Self("loss") }
}

extension ComponentKind where Product == any Sampler {
    /// Samplers: the `sampler:` section.
    public static var sampler: Self { Self("sampler") }
}

extension ComponentKind where Product == any TimeGrid {
    /// Time grids: the `timeGrid:` section.
    public static var timeGrid: Self { Self("timeGrid") }
}

extension ComponentKind where Product == any NetworkArchitecture {
    /// Networks: the `network:` section.
    public static var network: Self { Self("network") }
}

extension ComponentKind where Product == any Optimizer {
    /// Optimizers: the `optimizer:` section.
    public static var optimizer: Self { Self("optimizer") }
}

extension ComponentRegistry {
    /// Registers a forward process.
    public mutating func register<C: ForwardSDE & RegisteredComponent>(sde: C.Type) {
        register(C.self, as: .sde) { $0 }
    }

    /// Registers a prediction target.
    public mutating func register<C: Parameterization & RegisteredComponent>(parameterization: C.Type) {
        register(C.self, as: .parameterization) { $0 }
    }

    /// Registers a training objective.
    public mutating func register<C: Loss & RegisteredComponent>(loss: C.Type) {
        register(C.self, as: .loss) { $0 }
    }

    /// Registers a sampler.
    public mutating func register<C: Sampler & RegisteredComponent>(sampler: C.Type) {
        register(C.self, as: .sampler) { $0 }
    }

    /// Registers a time grid.
    public mutating func register<C: TimeGrid & RegisteredComponent>(timeGrid: C.Type) {
        register(C.self, as: .timeGrid) { $0 }
    }

    /// Registers a network architecture.
    public mutating func register<C: NetworkArchitecture & RegisteredComponent>(network: C.Type) {
        register(C.self, as: .network) { $0 }
    }

    /// Registers an optimizer.
    public mutating func register<C: Optimizer & RegisteredComponent>(optimizer: C.Type) {
        register(C.self, as: .optimizer) { $0 }
    }
}
