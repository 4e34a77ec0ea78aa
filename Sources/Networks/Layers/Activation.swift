public import ScoreKitCore

/// A pointwise nonlinearity chosen by configuration (`activation: silu` in a recipe).
///
/// ```
/// silu(x)     = x·σ(x)                    (swish; Elfwing et al. 2018; DDPM, score_sde, EDM)
/// gelu(x)     = x·Φ(x)                    (exact normal CDF; Hendrycks & Gimpel 2016; PyTorch's default)
/// softplus(x) = log(1 + eˣ)               (smooth ReLU; used by energy-based score models)
/// tanh(x)                                  (bounded; early score networks)
/// ```
/// Every case is smooth and built from Core's differentiable operations, so networks that use
/// it can be differentiated twice (sliced and implicit score matching differentiate ∇ₓs_θ with
/// respect to θ). ReLU is left out on purpose: its second derivative is zero almost everywhere,
/// which makes score-matching objectives with a Jacobian term degenerate.
public enum Activation: String, Codable, Sendable, CaseIterable {
    /// x·σ(x).
    case silu
    /// x·Φ(x), the exact (erf) form, not the tanh approximation.
    case gelu
    /// log(1 + eˣ).
    case softplus
    /// tanh(x).
    case tanh

    /// The activation applied elementwise.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .silu: return ScoreKitCore.silu(x)
        case .gelu: return ScoreKitCore.gelu(x)
        case .softplus: return ScoreKitCore.softplus(x)
        case .tanh: return ScoreKitCore.tanh(x)
        }
    }
}
