public import ScoreKitCore

/// Gradient clipping by global norm, as `torch.nn.utils.clip_grad_norm_`.
///
/// ```
/// ‖g‖ = √(Σᵢ ‖gᵢ‖²)        gᵢ ← gᵢ · min(1, maxNorm / (‖g‖ + 10⁻⁶))
/// ```
public enum GradientClipping {
    /// The global norm of `gradients`, and the gradients scaled so that it is at most `maxNorm`.
    public static func clipByGlobalNorm(_ gradients: [Tensor], maxNorm: Double) -> (clipped: [Tensor], norm: Double) {
        let norm = globalNorm(gradients)
        let factor = maxNorm / (norm + 1e-6)
        guard factor < 1 else { return (gradients, norm) }
        return (gradients.map { $0 * Float(factor) }, norm)
    }

    /// √(Σᵢ ‖gᵢ‖²), accumulated in Double.
    public static func globalNorm(_ gradients: [Tensor]) -> Double {
        var total = 0.0
        for g in gradients {
            g.withUnsafeBufferPointer { buffer in
                var s = 0.0
                for v in buffer { s += Double(v) * Double(v) }
                total += s
            }
        }
        return total.squareRoot()
    }
}
