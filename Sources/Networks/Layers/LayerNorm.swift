public import ScoreKitCore

/// Layer normalisation over the last axis, with a learned scale and shift (Ba et al. 2016).
///
/// ```
/// μ = mean_c x_c,   v = mean_c (x_c − μ)²           (biased variance, as PyTorch)
/// y_c = (x_c − μ)/√(v + ε)·γ_c + β_c
/// ```
/// Parameters `<name>.weight` (γ, ones) and `<name>.bias` (β, zeros), shape [C]. Matches
/// `torch.nn.LayerNorm(C, eps=1e-5)` on inputs [N, C] (or [N, …, C]). Written with Core's
/// differentiable operations, so it can be differentiated twice (sliced score matching). Each
/// sample is normalised on its own: rows stay independent, which the per-sample Jacobians of
/// score-matching losses need (unlike batch normalisation).
public struct LayerNorm: Sendable, Equatable {
    /// The parameter name prefix, such as `blocks.0.norm`.
    public let name: String
    /// C, the size of the last axis.
    public let featureCount: Int
    /// ε, added to the variance.
    public let epsilon: Float

    public init(name: String, featureCount: Int, epsilon: Float = 1e-5) {
        precondition(featureCount > 0, "LayerNorm '\(name)' needs a positive feature count, got \(featureCount)")
        precondition(epsilon > 0, "LayerNorm '\(name)' needs ε > 0, got \(epsilon)")
        self.name = name
        self.featureCount = featureCount
        self.epsilon = epsilon
    }

    /// γ = 1 and β = 0, as PyTorch.
    public func initialParameters() -> [(String, Tensor)] {
        [("\(name).weight", Tensor.ones([featureCount])), ("\(name).bias", Tensor.zeros([featureCount]))]
    }

    /// The normalised `x` with γ at `parameters.tensors[index]` and β at `index + 1`.
    public func callAsFunction(_ x: Tensor, _ parameters: ParameterSet, at index: Int) -> Tensor {
        callAsFunction(x, weight: parameters.tensors[index], bias: parameters.tensors[index + 1])
    }

    /// The normalised `x` with the given γ and β.
    public func callAsFunction(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        precondition(
            x.rank >= 1 && x.shape[x.rank - 1] == featureCount,
            "LayerNorm '\(name)' normalises a last axis of \(featureCount), got shape \(x.shape)")
        let centered = x - x.mean(alongAxis: -1, keepingDimension: true)
        let variance = square(centered).mean(alongAxis: -1, keepingDimension: true)
        return centered / sqrt(variance + epsilon) * weight + bias
    }
}
