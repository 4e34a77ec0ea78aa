public import ScoreKitCore

/// The configuration of a component without settings: a recipe section with only `kind`.
public struct EmptyConfiguration: ComponentConfiguration, Equatable {
    public init() {}
}
