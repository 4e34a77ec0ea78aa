public import ScoreKitCore

/// A per-dimension affine map to zero mean and unit variance, and its inverse.
///
/// ```
/// z = (x − m)/s,   x = m + s·z
/// ```
/// m and s are the mean and the standard deviation (population, divisor N) of each dimension
/// of the training part, accumulated in Double and stored as Float; a constant dimension gets
/// s = 1. A run keeps (m, s) in its checkpoints (`data.mean`, `data.standardDeviation`), so
/// samples drawn from the trained model map back to data space with `invert(_:)`.
public struct Standardization: Sendable, Equatable {
    /// m, per dimension.
    public var mean: [Float]
    /// s, per dimension, > 0.
    public var standardDeviation: [Float]

    /// The map with the given m and s.
    public init(mean: [Float], standardDeviation: [Float]) {
        precondition(mean.count == standardDeviation.count, "one mean and one standard deviation per dimension")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// The map fitted to `samples` `[N, D]`.
    public init(fitting samples: Tensor) {
        precondition(samples.rank == 2 && samples.shape[0] >= 1, "fit a standardisation to [N, D] samples")
        let (n, d) = (samples.shape[0], samples.shape[1])
        var sums = [Double](repeating: 0, count: d)
        var squares = [Double](repeating: 0, count: d)
        samples.withUnsafeBufferPointer { x in
            for i in 0..<n {
                for j in 0..<d { sums[j] += Double(x[i * d + j]) }
            }
            for i in 0..<n {
                for j in 0..<d {
                    let centred = Double(x[i * d + j]) - sums[j] / Double(n)
                    squares[j] += centred * centred
                }
            }
        }
        mean = sums.map { Float($0 / Double(n)) }
        standardDeviation = squares.map { sum in
            let s = Float((sum / Double(n)).squareRoot())
            return s > 0 && s.isFinite ? s : 1
        }
    }

    /// D.
    public var dimension: Int { mean.count }

    /// (x − m)/s for `x` `[N, D]`.
    public func apply(_ x: Tensor) -> Tensor {
        (x - Tensor(mean, shape: [1, dimension])) / Tensor(standardDeviation, shape: [1, dimension])
    }

    /// m + s·z for `z` `[N, D]`: samples of the trained model back in data space.
    public func invert(_ z: Tensor) -> Tensor {
        z * Tensor(standardDeviation, shape: [1, dimension]) + Tensor(mean, shape: [1, dimension])
    }

    /// m and s as named tensors, as checkpoints store them.
    public var tensors: [(name: String, tensor: Tensor)] {
        [("data.mean", Tensor(mean)), ("data.standardDeviation", Tensor(standardDeviation))]
    }
}
