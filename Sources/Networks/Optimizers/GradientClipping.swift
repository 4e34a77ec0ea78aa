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
                // Four partial sums let the loop vectorise; Double keeps 142k squares exact enough.
                var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                var k = 0
                while k + 4 <= buffer.count {
                    s0 += Double(buffer[k]) * Double(buffer[k])
                    s1 += Double(buffer[k + 1]) * Double(buffer[k + 1])
                    s2 += Double(buffer[k + 2]) * Double(buffer[k + 2])
                    s3 += Double(buffer[k + 3]) * Double(buffer[k + 3])
                    k += 4
                }
                while k < buffer.count {
                    s0 += Double(buffer[k]) * Double(buffer[k])
                    k += 1
                }
                total += (s0 + s1) + (s2 + s3)
            }
        }
        return total.squareRoot()
    }
}
