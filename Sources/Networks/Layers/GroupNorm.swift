public import ScoreKitCore

/// Group normalisation over channel groups (Wu & He 2018), with a learned per-channel scale and shift.
///
/// For x of shape [N, C, …] and G groups of C/G channels, with the statistics of each sample's
/// group taken over its channels and every position:
///
/// ```
/// μ_g = mean_{c∈g, p} x_{c,p},   v_g = mean_{c∈g, p} (x_{c,p} − μ_g)²      (biased, as PyTorch)
/// y_{c,p} = (x_{c,p} − μ_g)/√(v_g + ε)·γ_c + β_c
/// ```
/// Parameters `<name>.weight` (γ, ones) and `<name>.bias` (β, zeros), shape [C]. Matches
/// `torch.nn.GroupNorm(G, C, eps=1e-5)`; on [N, C] it normalises groups of features (G = 1 is
/// layer normalisation without per-position statistics). DDPM and NCSN++ use G = 32 (or C/4).
/// Runs as Core's fused `Tensor.groupNormalization`, whose recorded backward is composed from
/// differentiable operations, so it can be differentiated twice; samples stay independent.
public struct GroupNorm: Sendable, Equatable {
    /// The parameter name prefix, such as `blocks.0.norm`.
    public let name: String
    /// G.
    public let groupCount: Int
    /// C.
    public let channelCount: Int
    /// ε, added to the variance.
    public let epsilon: Float

    /// - Precondition: G divides C.
    public init(name: String, groupCount: Int, channelCount: Int, epsilon: Float = 1e-5) {
        precondition(
            groupCount > 0 && channelCount > 0 && channelCount % groupCount == 0,
            "GroupNorm '\(name)': \(groupCount) groups must divide \(channelCount) channels")
        precondition(epsilon > 0, "GroupNorm '\(name)' needs ε > 0, got \(epsilon)")
        self.name = name
        self.groupCount = groupCount
        self.channelCount = channelCount
        self.epsilon = epsilon
    }

    /// γ = 1 and β = 0, as PyTorch.
    public func initialParameters() -> [(String, Tensor)] {
        [("\(name).weight", Tensor.ones([channelCount])), ("\(name).bias", Tensor.zeros([channelCount]))]
    }

    /// The normalised `x` with γ at `parameters.tensors[index]` and β at `index + 1`.
    public func callAsFunction(_ x: Tensor, _ parameters: ParameterSet, at index: Int) -> Tensor {
        callAsFunction(x, weight: parameters.tensors[index], bias: parameters.tensors[index + 1])
    }

    /// The normalised `x` ([N, C, …]) with the given γ and β.
    public func callAsFunction(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        precondition(
            x.rank >= 2 && x.shape[1] == channelCount,
            "GroupNorm '\(name)' takes [N, \(channelCount), …], got shape \(x.shape)")
        return Tensor.groupNormalization(x, groupCount: groupCount, weight: weight, bias: bias, epsilon: epsilon)
    }
}
