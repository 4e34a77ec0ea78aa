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
            total += g.withUnsafeBufferPointer { sumOfSquares($0.baseAddress!, count: $0.count) }
        }
        return total.squareRoot()
    }

    /// Σ x² in Double; four partial sums let the loop vectorise.
    static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var k = 0
        while k + 4 <= count {
            s0 += Double(x[k]) * Double(x[k])
            s1 += Double(x[k + 1]) * Double(x[k + 1])
            s2 += Double(x[k + 2]) * Double(x[k + 2])
            s3 += Double(x[k + 3]) * Double(x[k + 3])
            k += 4
        }
        while k < count {
            s0 += Double(x[k]) * Double(x[k])
            k += 1
        }
        return (s0 + s1) + (s2 + s3)
    }

    /// The element-wise sum of several sets of gradients (one per batch shard, summed in the order
    /// given) and its global norm, in one parallel pass (`Compute.forEachPiece`).
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
        // Every element is written by the pieces below.
        var sum = (0..<count).map { Tensor(shape: parts[0][$0].shape, initializingWith: { _ in }) }
        let counts = sum.map(\.scalarCount)
        let sources = UncheckedSendable(
            parts.map { part in part.map { tensor in tensor.withUnsafeBufferPointer { $0.baseAddress! } } })
        let targets = UncheckedSendable(
            sum.indices.map { i in sum[i].withUnsafeMutableBufferPointer { $0.baseAddress! } })
        let pieces = Compute.pieces(counts: counts, maximum: 16_384)
        var squares = [Double](repeating: 0, count: pieces.count)
        squares.withUnsafeMutableBufferPointer { squares in
            let squares = UncheckedSendable(squares)
            Compute.forEachShard(pieces.count) { p in
                let (i, range) = pieces[p]
                let out = targets.value[i] + range.lowerBound
                let shards = sources.value
                let n = range.count
                out.update(from: shards[0][i] + range.lowerBound, count: n)
                for shard in 1..<shards.count {
                    let source = shards[shard][i] + range.lowerBound
                    for k in 0..<n { out[k] += source[k] }
                }
                squares.value[p] = sumOfSquares(UnsafePointer(out), count: n)
            }
        }
        withExtendedLifetime(parts) {}
        return (sum, squares.reduce(0, +).squareRoot())
    }

    /// Multiplies every gradient by `factor` in place (the clipping step), in parallel pieces.
    public static func scale(_ gradients: inout [Tensor], by factor: Float) {
        let pointers = UncheckedSendable(
            gradients.indices.map { i in gradients[i].withUnsafeMutableBufferPointer { $0.baseAddress! } })
        Compute.forEachPiece(counts: gradients.map(\.scalarCount), maximum: 16_384) { i, range in
            let g = pointers.value[i]
            for k in range { g[k] *= factor }
        }
    }
}
