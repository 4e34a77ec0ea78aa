/// Loops over raw pointers for elementwise operations; the only place they run.
enum ElementwiseKernels {
    /// Elements per chunk below which an expensive unary kernel stays on one thread.
    static let parallelThreshold = 16_384

    /// out[i] = op(x[i]) for i < count. `out` may equal `x`.
    @inline(__always)
    static func map<Op: UnaryElementwise>(
        _ op: Op, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int
    ) {
        if Op.isExpensive {
            let xs = UncheckedSendable(x)
            let outs = UncheckedSendable(out)
            Compute.parallelChunks(count: count, minimumPerChunk: parallelThreshold) { range in
                let x = xs.value
                let out = outs.value
                for i in range { out[i] = op(x[i]) }
            }
        } else {
            for i in 0..<count { out[i] = op(x[i]) }
        }
    }

    /// x ← x·σ(x), in place.
    static func siluInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let pointer = UncheckedSendable(x)
        Compute.parallelChunks(count: count, minimumPerChunk: parallelThreshold) { range in
            let x = pointer.value
            for i in range { x[i] = FastMath.silu(x[i]) }
        }
    }

    /// x ← x·σ(x) and s ← σ(x), in place (a kernel of its own: with y aliasing x, the two-buffer
    /// kernel's overlap check would send it to its scalar loop).
    static func siluInPlace(
        _ x: UnsafeMutablePointer<Float>, savingSigmoidTo s: UnsafeMutablePointer<Float>, count: Int
    ) {
        let pointers = UncheckedSendable((x, s))
        Compute.parallelChunks(count: count, minimumPerChunk: parallelThreshold) { range in
            let (x, s) = pointers.value
            for i in range {
                let v = x[i]
                let sig = 1 / (1 + FastMath.exp(-v))
                s[i] = sig
                x[i] = v * sig
            }
        }
    }

    /// out = g·(s + y·(1 − s)) with y = SiLU(z) and s = σ(z): SiLU'(z)·g without z.
    static func siluBackwardFromOutput(
        _ y: UnsafePointer<Float>, _ s: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
        _ out: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0..<count {
            let sig = s[i]
            out[i] = g[i] * (sig + y[i] * (1 - sig))
        }
    }

    /// out = g·σ(x)·(1 + x·(1 − σ(x))): SiLU'(x)·g, with σ(x) computed again from x.
    static func siluBackward(
        _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int
    ) {
        let pointers = UncheckedSendable((x, g, out))
        Compute.parallelChunks(count: count, minimumPerChunk: parallelThreshold) { range in
            let (x, g, out) = pointers.value
            for i in range {
                let v = x[i]
                let sig = 1 / (1 + FastMath.exp(-v))
                out[i] = g[i] * sig * (1 + v * (1 - sig))
            }
        }
    }

    /// out = op(a, b) with NumPy broadcasting described by `plan`.
    @inline(__always)
    static func broadcast<Op: BinaryElementwise>(
        _ op: Op, _ plan: BroadcastPlan,
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>
    ) {
        let rank = plan.dims.count
        let n = plan.dims[rank - 1]
        let aStep = plan.stridesA[rank - 1]
        let bStep = plan.stridesB[rank - 1]
        let outerCount = plan.outerCount
        var index = [Int](repeating: 0, count: rank - 1)
        var offsetA = 0
        var offsetB = 0
        var o = out
        for _ in 0..<outerCount {
            let pa = a + offsetA
            let pb = b + offsetB
            switch (aStep, bStep) {
            case (1, 1):
                for i in 0..<n { o[i] = op(pa[i], pb[i]) }
            case (1, 0):
                let bv = pb[0]
                for i in 0..<n { o[i] = op(pa[i], bv) }
            case (0, 1):
                let av = pa[0]
                for i in 0..<n { o[i] = op(av, pb[i]) }
            default:
                let v = op(pa[0], pb[0])
                for i in 0..<n { o[i] = v }
            }
            o += n
            var k = rank - 2
            while k >= 0 {
                index[k] += 1
                offsetA += plan.stridesA[k]
                offsetB += plan.stridesB[k]
                if index[k] < plan.dims[k] { break }
                offsetA -= plan.stridesA[k] * plan.dims[k]
                offsetB -= plan.stridesB[k] * plan.dims[k]
                index[k] = 0
                k -= 1
            }
        }
    }
}

/// How two shapes broadcast to one (NumPy rules), with dimensions merged where both operands are
/// contiguous across them, so most plans have one or two dimensions.
struct BroadcastPlan {
    let shape: [Int]
    /// Merged dimensions, outermost first; never empty.
    private(set) var dims: [Int] = []
    private(set) var stridesA: [Int] = []
    private(set) var stridesB: [Int] = []

    var outerCount: Int { dims.dropLast().reduce(1, *) }

    /// The broadcast shape of `a` and `b`; a precondition failure names both when they do not broadcast.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            precondition(da == db || da == 1 || db == 1, "shapes \(a) and \(b) do not broadcast")
            out[i] = Swift.max(da, db)
            if da == 0 || db == 0 { out[i] = 0 }
        }
        return out
    }

    init(_ a: [Int], _ b: [Int]) {
        shape = BroadcastPlan.shape(a, b)
        let rank = shape.count
        let sa = BroadcastPlan.strides(of: a, broadcastTo: shape)
        let sb = BroadcastPlan.strides(of: b, broadcastTo: shape)
        for i in 0..<rank where shape[i] != 1 {
            if let last = dims.indices.last,
                stridesA[last] == sa[i] * shape[i], stridesB[last] == sb[i] * shape[i]
            {
                dims[last] *= shape[i]
                stridesA[last] = sa[i]
                stridesB[last] = sb[i]
            } else {
                dims.append(shape[i])
                stridesA.append(sa[i])
                stridesB.append(sb[i])
            }
        }
        if dims.isEmpty {
            dims = [1]
            stridesA = [0]
            stridesB = [0]
        }
    }

    /// Row-major strides of `source` seen in `target`'s index space: 0 on broadcast dimensions.
    static func strides(of source: [Int], broadcastTo target: [Int]) -> [Int] {
        let offset = target.count - source.count
        var strides = [Int](repeating: 0, count: target.count)
        var running = 1
        for i in stride(from: source.count - 1, through: 0, by: -1) {
            strides[i + offset] = source[i] == 1 ? 0 : running
            running *= source[i]
        }
        return strides
    }
}
