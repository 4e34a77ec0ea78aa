/// Shape manipulation: transposition, slicing, concatenation and gathering.
extension Tensor {
    /// The transpose of a matrix.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed() needs a matrix, got shape \(shape)")
        let (rows, cols) = (shape[0], shape[1])
        let result = Tensor(shape: [cols, rows]) { out in
            let src = storage.base
            let dst = out.baseAddress!
            let block = 32
            for r0 in stride(from: 0, to: rows, by: block) {
                for c0 in stride(from: 0, to: cols, by: block) {
                    for r in r0..<Swift.min(r0 + block, rows) {
                        for c in c0..<Swift.min(c0 + block, cols) { dst[c * rows + r] = src[r * cols + c] }
                    }
                }
            }
        }
        return Autodiff.unary(self, result: result) { g in g.transposed() }
    }

    /// The elements with index in `range` along `axis` (a copy).
    public func slice(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let axis = resolvedAxis(axis)
        precondition(
            range.lowerBound >= 0 && range.upperBound <= shape[axis],
            "slice \(range) is out of bounds for axis \(axis) of shape \(shape)")
        let (outer, length, inner) = ReductionKernels.split(shape, axis: axis)
        var outShape = shape
        outShape[axis] = range.count
        let result = Tensor(shape: outShape) { out in
            let run = range.count * inner
            for o in 0..<outer {
                (out.baseAddress! + o * run).update(
                    from: storage.base + (o * length + range.lowerBound) * inner, count: run)
            }
        }
        let source = shape
        return Autodiff.unary(self, result: result) { g in g.padded(into: source, alongAxis: axis, at: range.lowerBound)
        }
    }

    /// This tensor placed at `offset` along `axis` inside zeros of shape `target`: the gradient of a slice.
    public func padded(into target: [Int], alongAxis axis: Int, at offset: Int) -> Tensor {
        let axis = resolvedAxis(axis)
        precondition(target.count == rank, "cannot pad shape \(shape) into \(target)")
        precondition(
            offset >= 0 && offset + shape[axis] <= target[axis], "padding \(shape) at \(offset) overflows \(target)")
        let (outer, length, inner) = ReductionKernels.split(target, axis: axis)
        let count = shape[axis]
        let result = Tensor(shape: target) { out in
            out.initialize(repeating: 0)
            let run = count * inner
            for o in 0..<outer {
                (out.baseAddress! + (o * length + offset) * inner).update(from: storage.base + o * run, count: run)
            }
        }
        return Autodiff.unary(self, result: result) { g in g.slice(alongAxis: axis, offset..<(offset + count)) }
    }

    /// Tensors joined along `axis`; all other dimensions must agree.
    public static func concatenate(_ tensors: [Tensor], alongAxis axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate needs at least one tensor")
        let first = tensors[0]
        let axis = first.resolvedAxis(axis)
        var outShape = first.shape
        outShape[axis] = 0
        for t in tensors {
            var a = t.shape
            var b = first.shape
            a[axis] = 0
            b[axis] = 0
            precondition(a == b, "cannot concatenate shapes \(first.shape) and \(t.shape) along axis \(axis)")
            outShape[axis] += t.shape[axis]
        }
        let (outer, total, inner) = ReductionKernels.split(outShape, axis: axis)
        let result = Tensor(shape: outShape) { out in
            var offset = 0
            for t in tensors {
                let run = t.shape[axis] * inner
                for o in 0..<outer {
                    (out.baseAddress! + (o * total + offset) * inner).update(from: t.storage.base + o * run, count: run)
                }
                offset += t.shape[axis]
            }
        }
        let sizes = tensors.map { $0.shape[axis] }
        return Autodiff.nary(tensors, result: result) { g, needed in
            var start = 0
            return sizes.enumerated().map { i, size in
                defer { start += size }
                return needed[i] ? g.slice(alongAxis: axis, start..<(start + size)) : nil
            }
        }
    }

    /// Rows `indices` of the first axis, in that order (repeats allowed): embedding lookup, batch draws.
    public func gathering(rows indices: [Int]) -> Tensor {
        precondition(rank >= 1, "gathering(rows:) needs rank ≥ 1, got shape \(shape)")
        let rowCount = shape[0]
        let width = rank == 1 ? 1 : scalarCount / Swift.max(rowCount, 1)
        var outShape = shape
        outShape[0] = indices.count
        let result = Tensor(shape: outShape) { out in
            for (i, row) in indices.enumerated() {
                precondition(row >= 0 && row < rowCount, "row index \(row) is out of range 0..<\(rowCount)")
                (out.baseAddress! + i * width).update(from: storage.base + row * width, count: width)
            }
        }
        let source = shape
        return Autodiff.unary(self, result: result) { g in g.scatteringAdd(rows: indices, into: source) }
    }

    /// Rows of this tensor added into zeros of shape `target` at rows `indices`: the gradient of a gather.
    public func scatteringAdd(rows indices: [Int], into target: [Int]) -> Tensor {
        precondition(indices.count == shape.first, "\(indices.count) indices for \(shape.first ?? 0) rows")
        let width = rank == 1 ? 1 : scalarCount / Swift.max(shape[0], 1)
        let result = Tensor(shape: target) { out in
            out.initialize(repeating: 0)
            for (i, row) in indices.enumerated() {
                precondition(row >= 0 && row < target[0], "row index \(row) is out of range 0..<\(target[0])")
                let dst = out.baseAddress! + row * width
                let src = storage.base + i * width
                for j in 0..<width { dst[j] += src[j] }
            }
        }
        return Autodiff.unary(self, result: result) { g in g.gathering(rows: indices) }
    }

    /// Adds a dimension of extent 1 at `axis`.
    public func expandingShape(at axis: Int) -> Tensor {
        var s = shape
        s.insert(1, at: axis < 0 ? axis + rank + 1 : axis)
        return reshaped(s)
    }
}
