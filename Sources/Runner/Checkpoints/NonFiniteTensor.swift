public import ScoreKitCore

/// A tensor that holds NaN or ±∞: its name, how many such values, and the first of them.
///
/// ```
/// tensor 'ema.l1.weight' holds 3 non-finite values (first at index 17: nan)
/// ```
/// Found by `first(in:)`, which the divergence guard runs over the weights and the optimizer
/// state after every update, and checkpoints over what they hold before a run resumes or a
/// network is loaded.
public struct NonFiniteTensor: Sendable, Equatable, CustomStringConvertible {
    /// The tensor's name, as a checkpoint names it (`ema.l1.weight`, `optimizer.adam.v.l1.weight`).
    public var name: String
    /// How many of its values are NaN or ±∞.
    public var count: Int
    /// The flat (row-major) index of the first of them.
    public var firstIndex: Int
    /// The first of them.
    public var firstValue: Float

    /// A description of the non-finite values of tensor `name`.
    public init(name: String, count: Int, firstIndex: Int, firstValue: Float) {
        self.name = name
        self.count = count
        self.firstIndex = firstIndex
        self.firstValue = firstValue
    }

    /// The first of `tensors`, in order, that holds a NaN or ±∞, described; `nil` when every one
    /// is finite. One pass over each finite tensor (`Tensor.isFinite`) and two over the bad one.
    public static func first(in tensors: some Sequence<(name: String, tensor: Tensor)>) -> NonFiniteTensor? {
        for (name, tensor) in tensors where !tensor.isFinite {
            return tensor.withUnsafeBufferPointer { values in
                var count = 0
                var first: Int? = nil
                for (i, value) in values.enumerated() where !value.isFinite {
                    count += 1
                    if first == nil { first = i }
                }
                return NonFiniteTensor(
                    name: name, count: count, firstIndex: first ?? 0, firstValue: first.map { values[$0] } ?? .nan)
            }
        }
        return nil
    }

    public var description: String {
        "tensor '\(name)' holds \(count) non-finite value\(count == 1 ? "" : "s") (first at index \(firstIndex): \(firstValue))"
    }

    /// Equal names, counts, indices, and first values that print alike (NaN equals NaN here).
    public static func == (a: NonFiniteTensor, b: NonFiniteTensor) -> Bool {
        a.name == b.name && a.count == b.count && a.firstIndex == b.firstIndex && "\(a.firstValue)" == "\(b.firstValue)"
    }
}
