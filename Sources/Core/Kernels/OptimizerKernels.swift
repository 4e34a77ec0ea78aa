/// The element-wise loops of gradient clipping and of the optimizers, over every parameter
/// tensor at once, in parallel pieces of at most 16,384 elements (`Compute.pieces`).
///
/// The pointers to the tensors' buffers are taken inside these functions and live only for
/// the call (`Tensor.withBuffers`, `withMutableBuffers`); every piece's arithmetic is a fixed
/// order of operations, so results never depend on the thread count.
public enum OptimizerKernels {
    /// Elements a parallel piece holds at most.
    static let pieceSize = 16_384

    /// Σ x² in Double: `GroupNormKernels.dot(x, x)`, whose four partial sums let the loop
    /// vectorise.
    public static func sumOfSquares(_ x: UnsafeBufferPointer<Float>) -> Double {
        guard let base = x.baseAddress else { return 0 }
        return GroupNormKernels.dot(base, base, x.count)
    }

    /// The element-wise sum of several sets of tensors of the same shapes (`parts[0] + parts[1]
    /// + …`, in that order) and Σ of the squares of the sum, whose partial sums are added in
    /// piece order.
    public static func sumWithSquares(_ parts: [[Tensor]]) -> (sum: [Tensor], squares: Double) {
        precondition(!parts.isEmpty, "no tensors to sum")
        var sum = parts[0].map { Tensor(shape: $0.shape, initializingWith: { _ in }) }
        let pieces = Compute.pieces(counts: sum.map(\.scalarCount), maximum: pieceSize)
        var squares = [Double](repeating: 0, count: pieces.count)
        Tensor.withBuffers(of: parts.flatMap { $0 }) { flat in
            let width = parts[0].count
            let sources = UncheckedSendable(flat)
            Tensor.withMutableBuffers(of: &sum) { targets in
                let targets = UncheckedSendable(targets)
                squares.withUnsafeMutableBufferPointer { squares in
                    let squares = UncheckedSendable(squares)
                    Compute.forEachShard(pieces.count) { p in
                        let (i, range) = pieces[p]
                        let out = targets.value[i].baseAddress! + range.lowerBound
                        let n = range.count
                        out.update(from: sources.value[i].baseAddress! + range.lowerBound, count: n)
                        for shard in 1..<parts.count {
                            let source = sources.value[shard * width + i].baseAddress! + range.lowerBound
                            for k in 0..<n { out[k] += source[k] }
                        }
                        squares.value[p] = sumOfSquares(UnsafeBufferPointer(start: out, count: n))
                    }
                }
            }
        }
        return (sum, squares.reduce(0, +))
    }

    /// Multiplies every element of every tensor by `factor`, in place.
    public static func scale(_ tensors: inout [Tensor], by factor: Float) {
        let pieces = Compute.pieces(counts: tensors.map(\.scalarCount), maximum: pieceSize)
        Tensor.withMutableBuffers(of: &tensors) { buffers in
            let buffers = UncheckedSendable(buffers)
            Compute.forEachShard(pieces.count) { p in
                let (i, range) = pieces[p]
                let g = buffers.value[i]
                for k in range { g[k] *= factor }
            }
        }
    }

    /// The coefficients of one Adam(W) step (`adam(parameters:gradients:first:second:_:)`).
    public struct AdamStep: Sendable {
        public var beta1: Float
        public var beta2: Float
        /// η / (1 − β₁ᵗ).
        public var stepSize: Float
        /// 1 / √(1 − β₂ᵗ).
        public var secondCorrection: Float
        public var epsilon: Float
        /// 1 − η·λ (decoupled weight decay; 1 for none).
        public var decay: Float

        public init(
            beta1: Float, beta2: Float, stepSize: Float, secondCorrection: Float, epsilon: Float, decay: Float
        ) {
            (self.beta1, self.beta2, self.stepSize) = (beta1, beta2, stepSize)
            (self.secondCorrection, self.epsilon, self.decay) = (secondCorrection, epsilon, decay)
        }
    }

    /// One Adam(W) update of every parameter in place:
    ///
    /// ```
    /// m ← β₁m + (1 − β₁)g     v ← β₂v + (1 − β₂)g²
    /// θ ← θ·decay − stepSize · m / (√v · secondCorrection + ε)
    /// ```
    public static func adam(
        parameters: inout [Tensor], gradients: [Tensor], first: inout [Tensor], second: inout [Tensor],
        _ c: AdamStep
    ) {
        let pieces = Compute.pieces(counts: parameters.map(\.scalarCount), maximum: pieceSize)
        Tensor.withBuffers(of: gradients) { gradients in
            let gradients = UncheckedSendable(gradients)
            Tensor.withMutableBuffers(of: &first) { first in
                let first = UncheckedSendable(first)
                Tensor.withMutableBuffers(of: &second) { second in
                    let second = UncheckedSendable(second)
                    Tensor.withMutableBuffers(of: &parameters) { parameters in
                        let parameters = UncheckedSendable(parameters)
                        Compute.forEachShard(pieces.count) { piece in
                            let (i, range) = pieces[piece]
                            let (g, m) = (gradients.value[i], first.value[i])
                            let (v, p) = (second.value[i], parameters.value[i])
                            for k in range {
                                let gk = g[k]
                                let mk = c.beta1 * m[k] + (1 - c.beta1) * gk
                                let vk = c.beta2 * v[k] + (1 - c.beta2) * gk * gk
                                m[k] = mk
                                v[k] = vk
                                let denominator = FastMath.squareRoot(vk) * c.secondCorrection + c.epsilon
                                p[k] = p[k] * c.decay - c.stepSize * mk / denominator
                            }
                        }
                    }
                }
            }
        }
    }
}

extension Tensor {
    /// Calls `body` with the elements of every tensor of `tensors`, read-only; the buffers are
    /// valid inside `body` only.
    static func withBuffers<R>(of tensors: [Tensor], _ body: ([UnsafeBufferPointer<Float>]) throws -> R) rethrows -> R {
        try withExtendedLifetime(tensors) {
            try body(tensors.map { UnsafeBufferPointer(start: $0.storage.base, count: $0.storage.count) })
        }
    }

    /// Calls `body` with the writable elements of every tensor of `tensors` (shared buffers
    /// copied first, tracking dropped, as `withUnsafeMutableBufferPointer`); the buffers are valid
    /// inside `body` only.
    static func withMutableBuffers<R>(
        of tensors: inout [Tensor], _ body: ([UnsafeMutableBufferPointer<Float>]) throws -> R
    ) rethrows -> R {
        for i in tensors.indices { tensors[i].withUnsafeMutableBufferPointer { _ in } }
        let owned = tensors
        return try withExtendedLifetime(owned) {
            try body(owned.map { UnsafeMutableBufferPointer(start: $0.storage.base, count: $0.storage.count) })
        }
    }
}
