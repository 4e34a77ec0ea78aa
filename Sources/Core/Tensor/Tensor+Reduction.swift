/// Reductions; sums accumulate in Double.
extension Tensor {
    /// Normalises a possibly negative axis.
    @inline(__always)
    func resolvedAxis(_ axis: Int) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        precondition(resolved >= 0 && resolved < rank, "axis \(axis) is out of range for shape \(shape)")
        return resolved
    }

    /// Σ of all elements, as a rank-0 tensor.
    public func sum() -> Tensor {
        let source = shape
        let result = Tensor(shape: []) { out in
            ReductionKernels.sum(storage.base, out.baseAddress!, outer: 1, length: scalarCount, inner: 1)
        }
        return Autodiff.unary(self, result: result) { g in g.broadcasted(to: source) }
    }

    /// Σ along `axis` (negative counts from the end), dropping it unless `keepingDimension`.
    public func sum(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        let axis = resolvedAxis(axis)
        let source = shape
        let result = sumValues(alongAxis: axis, keepingDimension: keepingDimension)
        return Autodiff.unary(self, result: result) { g in
            var kept = source
            kept[axis] = 1
            return g.reshaped(kept).broadcasted(to: source)
        }
    }

    /// The mean of all elements, as a rank-0 tensor.
    public func mean() -> Tensor {
        sum() * (1 / Float(Swift.max(scalarCount, 1)))
    }

    /// The mean along `axis`.
    public func mean(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        let n = shape[resolvedAxis(axis)]
        return sum(alongAxis: axis, keepingDimension: keepingDimension) * (1 / Float(Swift.max(n, 1)))
    }

    /// The largest element, as a rank-0 tensor; the gradient goes to every maximal element.
    public func max() -> Tensor {
        reshaped([scalarCount]).max(alongAxis: 0)
    }

    /// The largest element along `axis`; the gradient goes to every maximal element.
    public func max(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        let axis = resolvedAxis(axis)
        precondition(shape[axis] > 0, "max along an empty axis of shape \(shape)")
        let (outer, length, inner) = ReductionKernels.split(shape, axis: axis)
        let kept = shape.enumerated().map { $0.offset == axis ? 1 : $0.element }
        let values = Tensor(shape: kept) { out in
            ReductionKernels.max(storage.base, out.baseAddress!, outer: outer, length: length, inner: inner)
        }
        var outShape = kept
        if !keepingDimension { outShape.remove(at: axis) }
        let result = Tensor(shape: outShape, storage: values.storage)
        let source = shape
        return Autodiff.unary(self, result: result) { g in
            let mask = Tensor.combining(self, values, Elementwise.Equal())
            return g.reshaped(kept).broadcasted(to: source) * mask
        }
    }

    /// Σₖ aₖ·bₖ along the last axis: one dot product per row.
    public static func rowDot(_ a: Tensor, _ b: Tensor) -> Tensor {
        (a * b).sum(alongAxis: -1)
    }

    /// The Euclidean norm of each row (along the last axis).
    public func rowNorm() -> Tensor {
        sqrt(square(self).sum(alongAxis: -1))
    }

    /// Σ x² of all elements, as a rank-0 tensor.
    public func squaredNorm() -> Tensor {
        square(self).sum()
    }
}
