/// The bridge from `Tensor` operations to the kernel layer: every numeric loop an operation runs
/// goes through one of these, on untracked values.
extension Tensor {
    /// op applied to every element (untracked).
    @inline(__always)
    func applying<Op: UnaryElementwise>(_ op: Op) -> Tensor {
        let source = storage
        return Tensor(shape: shape) { out in
            ElementwiseKernels.map(op, source.base, out.baseAddress!, count: source.count)
        }
    }

    /// op of `a` and `b`, broadcast (untracked).
    @inline(__always)
    static func combining<Op: BinaryElementwise>(_ a: Tensor, _ b: Tensor, _ op: Op) -> Tensor {
        let plan = BroadcastPlan(a.shape, b.shape)
        return Tensor(shape: plan.shape) { out in
            ElementwiseKernels.broadcast(op, plan, a.storage.base, b.storage.base, out.baseAddress!)
        }
    }

    /// The values repeated along broadcast dimensions up to `target` (untracked).
    func broadcastValues(to target: [Int]) -> Tensor {
        if shape == target { return detached() }
        let plan = BroadcastPlan(shape, target)
        precondition(plan.shape == target, "shape \(shape) does not broadcast to \(target)")
        return Tensor(shape: target) { out in
            // The second operand is ignored by `First`; the output buffer stands in for it.
            ElementwiseKernels.broadcast(First(), plan, storage.base, UnsafePointer(out.baseAddress!), out.baseAddress!)
        }
    }

    /// Sums over the dimensions that broadcasting to this shape would repeat (untracked).
    func reducedValues(toShape target: [Int]) -> Tensor {
        if shape == target { return detached() }
        precondition(target.count <= rank, "cannot reduce \(shape) to \(target)")
        let padded = [Int](repeating: 1, count: rank - target.count) + target
        var current = detached()
        for axis in 0..<rank where padded[axis] == 1 && shape[axis] != 1 {
            current = current.sumValues(alongAxis: axis, keepingDimension: true)
        }
        precondition(current.scalarCount == Tensor.elementCount(of: target), "cannot reduce \(shape) to \(target)")
        return Tensor(shape: target, storage: current.storage)
    }

    /// Σ along one axis (untracked).
    func sumValues(alongAxis axis: Int, keepingDimension: Bool) -> Tensor {
        let (outer, length, inner) = ReductionKernels.split(shape, axis: axis)
        var outShape = shape
        if keepingDimension { outShape[axis] = 1 } else { outShape.remove(at: axis) }
        return Tensor(shape: outShape) { out in
            ReductionKernels.sum(storage.base, out.baseAddress!, outer: outer, length: length, inner: inner)
        }
    }

    /// g·σ(x)·(1 + x·(1 − σ(x))), both of one shape (untracked).
    static func siluBackwardValues(_ x: Tensor, _ g: Tensor) -> Tensor {
        precondition(x.shape == g.shape, "silu backward shapes \(x.shape), \(g.shape)")
        return Tensor(shape: x.shape) { out in
            ElementwiseKernels.siluBackward(x.storage.base, g.storage.base, out.baseAddress!, count: x.scalarCount)
        }
    }

    private struct First: BinaryElementwise {
        func callAsFunction(_ a: Float, _ b: Float) -> Float { a }
    }
}
