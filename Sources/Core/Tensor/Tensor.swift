/// A dense, row-major array of `Float32` values with value semantics, and the unit of ScoreKit's
/// reverse-mode automatic differentiation.
///
/// ```
/// let x = Tensor([1, 2, 3, 4], shape: [2, 2])
/// let y = (x * x).sum()          // 30
/// ```
///
/// Copies share one buffer until one of them is written (copy-on-write). Shapes are N-d; the
/// element at index `(i₀, …, iₙ₋₁)` lives at offset `Σ iₖ·strideₖ` with C-order strides.
///
/// A tensor is *tracked* when it takes part in differentiation: `tracked()` makes a leaf, and every
/// operation on a tracked tensor records how to send gradients back to its inputs, unless recording
/// is switched off (`Autodiff.withoutRecording`). An untracked tensor records nothing and costs
/// nothing extra, which is inference mode. See `gradients(of:wrt:seed:createGraph:)`.
///
/// - Note: The arithmetic runs on the CPU kernels of `Kernels` and OpenBLAS; numeric loops never
///   appear outside that layer, so another backend can be put beneath `Tensor` later.
public struct Tensor: Sendable {
    /// The extent of each dimension; `[]` for a scalar.
    public let shape: [Int]
    var storage: TensorStorage
    /// The recorded operation that produced this tensor, or `nil` when it is not tracked.
    var node: AutodiffNode?

    init(shape: [Int], storage: TensorStorage, node: AutodiffNode? = nil) {
        precondition(
            storage.count == Tensor.elementCount(of: shape),
            "shape \(shape) needs \(Tensor.elementCount(of: shape)) elements, storage has \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    /// The number of elements a tensor of `shape` holds.
    @inlinable
    public static func elementCount(of shape: [Int]) -> Int {
        var n = 1
        for d in shape {
            precondition(d >= 0, "negative dimension in shape \(shape)")
            n *= d
        }
        return n
    }

    /// A tensor of the given shape whose elements `body` writes, in row-major order.
    ///
    /// `body` receives uninitialised memory of `elementCount(of: shape)` elements and must write all of them.
    public init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        let storage = TensorStorage(uninitializedCount: Tensor.elementCount(of: shape))
        try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
        self.init(shape: shape, storage: storage)
    }

    /// A tensor holding `scalars` (row-major) with the given shape.
    public init(_ scalars: [Float], shape: [Int]) {
        precondition(
            scalars.count == Tensor.elementCount(of: shape),
            "\(scalars.count) values cannot fill shape \(shape) (\(Tensor.elementCount(of: shape)) elements)")
        self.init(shape: shape) { buffer in
            _ = buffer.initialize(from: scalars)
        }
    }

    /// A one-dimensional tensor holding `scalars`.
    public init(_ scalars: [Float]) {
        self.init(scalars, shape: [scalars.count])
    }

    /// A rank-0 tensor holding one value.
    public init(_ scalar: Float) {
        self.init([scalar], shape: [])
    }

    /// A tensor of `shape` with every element equal to `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape) { buffer in
            buffer.initialize(repeating: value)
        }
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// A tensor of `shape` filled with `value` (NumPy's `full`).
    public static func full(_ shape: [Int], _ value: Float) -> Tensor { Tensor(repeating: value, shape: shape) }

    /// `[start, start + step, …]` up to but excluding `end` (NumPy's `arange`).
    public static func arange(_ start: Float, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange needs a non-zero step")
        let count = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor(shape: [count]) { buffer in
            for i in 0..<count { buffer[i] = start + Float(i) * step }
        }
    }

    /// `count` evenly spaced values from `start` to `end`, both included (NumPy's `linspace`).
    public static func linspace(_ start: Float, _ end: Float, count: Int) -> Tensor {
        precondition(count >= 1, "linspace needs at least one point, got \(count)")
        return Tensor(shape: [count]) { buffer in
            if count == 1 {
                buffer[0] = start
                return
            }
            let step = (Double(end) - Double(start)) / Double(count - 1)
            for i in 0..<count { buffer[i] = Float(Double(start) + Double(i) * step) }
            buffer[count - 1] = end
        }
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The number of elements.
    public var scalarCount: Int { storage.count }

    /// The elements in row-major order.
    public var scalars: [Float] {
        Array(UnsafeBufferPointer(start: storage.base, count: storage.count))
    }

    /// The value of a one-element tensor.
    public var scalar: Float {
        precondition(storage.count == 1, "scalar of a tensor with shape \(shape) (\(storage.count) elements)")
        return storage.base[0]
    }

    /// Calls `body` with the elements, read-only.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base, count: storage.count))
    }

    /// Calls `body` with writable elements, copying a shared buffer first.
    ///
    /// Writing through a tracked tensor would silently invalidate recorded gradients, so the
    /// result of the write is untracked.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy()
        }
        node = nil
        return try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
    }

    /// The same values with another shape of the same element count; shares the buffer.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().reduce(1) { $1.offset == inferred ? $0 : $0 * $1.element }
            precondition(known > 0 && scalarCount % known == 0, "cannot reshape \(shape) to \(newShape)")
            resolved[inferred] = scalarCount / known
        }
        precondition(
            Tensor.elementCount(of: resolved) == scalarCount,
            "cannot reshape \(shape) (\(scalarCount) elements) to \(newShape)")
        let source = shape
        return Autodiff.unary(self, result: Tensor(shape: resolved, storage: storage)) { grad in
            grad.reshaped(source)
        }
    }

    /// A tensor with every value copied into new storage (untracked, like NumPy's `copy`).
    public func copied() -> Tensor {
        Tensor(shape: shape, storage: storage.copy())
    }
}

extension Tensor: CustomStringConvertible {
    /// The shape and up to 16 values.
    public var description: String {
        let values = withUnsafeBufferPointer { Array($0.prefix(16)) }
        let more = scalarCount > 16 ? ", …" : ""
        return "Tensor(shape: \(shape), [\(values.map { "\($0)" }.joined(separator: ", "))\(more)])"
    }
}

extension Tensor: Equatable {
    /// Equal shapes and equal values; tracking is ignored.
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.shape == rhs.shape else { return false }
        if lhs.storage === rhs.storage { return true }
        return lhs.withUnsafeBufferPointer { a in rhs.withUnsafeBufferPointer { b in a.elementsEqual(b) } }
    }
}
