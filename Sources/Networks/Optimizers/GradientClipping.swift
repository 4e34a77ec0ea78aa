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
            total += g.withUnsafeBufferPointer { OptimizerKernels.sumOfSquares($0) }
        }
        return total.squareRoot()
    }

    /// The element-wise sum of several sets of gradients (one per batch shard, summed in the order
    /// given) and its global norm, in one parallel pass (`OptimizerKernels.sumWithSquares`).
    ///
    /// The norm's partial sums are added in piece order, so the result does not depend on the
    /// thread count.
    public static func sumWithGlobalNorm(_ parts: [[Tensor]]) -> (sum: [Tensor], norm: Double) {
        precondition(!parts.isEmpty, "no gradients to sum")
        let count = parts[0].count
        for part in parts {
            precondition(part.count == count, "gradient sets of \(count) and \(part.count) tensors")
            for i in 0..<count {
                precondition(
                    part[i].shape == parts[0][i].shape,
                    "gradient \(i) has shapes \(parts[0][i].shape) and \(part[i].shape)")
            }
        }
        let (sum, squares) = OptimizerKernels.sumWithSquares(parts)
        return (sum, squares.squareRoot())
    }

    /// Multiplies every gradient by `factor` in place (the clipping step), in parallel pieces.
    public static func scale(_ gradients: inout [Tensor], by factor: Float) {
        OptimizerKernels.scale(&gradients, by: factor)
    }
}
