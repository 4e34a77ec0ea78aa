public import ScoreKitCore

/// Which normalisation a network puts before its nonlinearities, chosen by configuration.
///
/// | case | layer | statistics per sample over |
/// |---|---|---|
/// | `none` | identity | — |
/// | `layer` | `LayerNorm` (Ba et al. 2016) | all features |
/// | `group` | `GroupNorm` (Wu & He 2018), `groupCount` groups | the features of each group |
///
/// All of them keep samples independent (no batch statistics), which score-matching losses
/// with per-sample Jacobians need.
public enum Normalization: String, Codable, Sendable, CaseIterable {
    case none
    case layer
    case group
}

/// A normalisation layer of one of the `Normalization` kinds, over C features, with its
/// parameters (none, or γ and β) at a fixed place in the owning model's `ParameterSet`.
public struct FeatureNormalization: Sendable, Equatable {
    enum Layer: Sendable, Equatable {
        case none
        case layer(LayerNorm)
        case group(GroupNorm)
    }

    let layer: Layer

    /// A normalisation `kind` over `featureCount` features named `name`.
    /// - Precondition: for `group`, `groupCount` divides `featureCount`.
    public init(_ kind: Normalization, name: String, featureCount: Int, groupCount: Int) {
        switch kind {
        case .none: layer = .none
        case .layer: layer = .layer(LayerNorm(name: name, featureCount: featureCount))
        case .group: layer = .group(GroupNorm(name: name, groupCount: groupCount, channelCount: featureCount))
        }
    }

    /// The number of tensors this layer keeps in the `ParameterSet` (0 or 2).
    public var parameterCount: Int {
        if case .none = layer { return 0 }
        return 2
    }

    /// γ = 1, β = 0 (nothing for `none`).
    public func initialParameters() -> [(String, Tensor)] {
        switch layer {
        case .none: return []
        case .layer(let norm): return norm.initialParameters()
        case .group(let norm): return norm.initialParameters()
        }
    }

    /// The normalised `x` with parameters from `parameters.tensors[index…]`.
    public func callAsFunction(_ x: Tensor, _ parameters: ParameterSet, at index: Int) -> Tensor {
        switch layer {
        case .none: return x
        case .layer(let norm): return norm(x, parameters, at: index)
        case .group(let norm): return norm(x, parameters, at: index)
        }
    }
}
