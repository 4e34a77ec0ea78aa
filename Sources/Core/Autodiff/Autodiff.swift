/// Switches for the gradient tape, and the recording helpers that operations use.
public enum Autodiff {
    @TaskLocal static var recordingDisabled = false

    /// Whether operations on tracked tensors are being recorded in this context.
    public static var isRecording: Bool { !recordingDisabled }

    /// Runs `body` with recording off: operations on tracked tensors return untracked results
    /// and keep no graph (PyTorch's `no_grad`). Use it for sampling and evaluation.
    public static func withoutRecording<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = $recordingDisabled.withValue(true) { Result { () throws(E) -> R in try body() } }
        return try result.get()
    }

    /// Runs `body` with recording on, even inside `withoutRecording`.
    public static func withRecording<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = $recordingDisabled.withValue(false) { Result { () throws(E) -> R in try body() } }
        return try result.get()
    }

    /// `result`, tracked as a function of `input` through `backward`, when `input` is tracked and
    /// recording is on; otherwise `result` unchanged.
    @inline(__always)
    static func unary(
        _ input: Tensor, result: Tensor, _ backward: @escaping @Sendable (Tensor) -> Tensor
    ) -> Tensor {
        guard let node = input.node, isRecording else { return result }
        var out = result
        out.node = AutodiffNode(inputs: [node]) { grad, _ in [backward(grad)] }
        return out
    }

    /// `result`, tracked as a function of `a` and `b`; `backward` returns their gradients
    /// (it may skip one whose `needed` flag is false by returning `nil`).
    @inline(__always)
    static func binary(
        _ a: Tensor, _ b: Tensor, result: Tensor,
        _ backward: @escaping @Sendable (Tensor, _ needA: Bool, _ needB: Bool) -> (Tensor?, Tensor?)
    ) -> Tensor {
        guard a.node != nil || b.node != nil, isRecording else { return result }
        var out = result
        out.node = AutodiffNode(inputs: [a.node, b.node]) { grad, needed in
            let (ga, gb) = backward(grad, needed[0], needed[1])
            return [ga, gb]
        }
        return out
    }

    /// `result`, tracked as a function of any number of `inputs`.
    static func nary(
        _ inputs: [Tensor], result: Tensor, _ backward: @escaping AutodiffNode.Backward
    ) -> Tensor {
        guard inputs.contains(where: { $0.node != nil }), isRecording else { return result }
        var out = result
        out.node = AutodiffNode(inputs: inputs.map(\.node), backward: backward)
        return out
    }
}

extension Tensor {
    /// Whether this tensor is part of a recorded computation.
    public var isTracked: Bool { node != nil }

    /// The same values as a new leaf of the gradient tape: gradients can be taken with respect to it.
    public func tracked() -> Tensor {
        Tensor(shape: shape, storage: storage, node: .leaf())
    }

    /// The same values, cut from the gradient tape (PyTorch's `detach`, JAX's `stop_gradient`).
    public func detached() -> Tensor {
        Tensor(shape: shape, storage: storage, node: nil)
    }
}
