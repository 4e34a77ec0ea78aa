import Foundation
import ScoreKitCore
import Testing

/// Forward values of `Tensor` operations against hand-computed numbers and naive loops.
@Suite("Tensor forward values")
struct TensorTests {
    // MARK: Creation

    @Test func creationFromScalarsKeepsRowMajorOrder() {
        let t = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(t.shape == [2, 3])
        #expect(t.rank == 2)
        #expect(t.scalarCount == 6)
        #expect(t.scalars == [1, 2, 3, 4, 5, 6])
        #expect(Tensor([7, 8]).shape == [2])
        let s = Tensor(Float(2.5))
        #expect(s.shape == [])
        #expect(s.rank == 0)
        #expect(s.scalar == 2.5)
        #expect(Tensor.elementCount(of: [2, 0, 3]) == 0)
        #expect(Tensor.elementCount(of: []) == 1)
    }

    @Test func filledTensors() {
        #expect(Tensor.zeros([2, 2]).scalars == [0, 0, 0, 0])
        #expect(Tensor.ones([3]).scalars == [1, 1, 1])
        #expect(Tensor.full([2, 1], -1.5).scalars == [-1.5, -1.5])
        #expect(Tensor.full([2, 1], -1.5).shape == [2, 1])
        #expect(Tensor(repeating: 4, shape: []).scalar == 4)
        let written = Tensor(shape: [3]) { buffer in
            for i in buffer.indices { buffer[i] = Float(i * i) }
        }
        #expect(written.scalars == [0, 1, 4])
    }

    @Test func arangeAndLinspace() {
        #expect(Tensor.arange(0, 5).scalars == [0, 1, 2, 3, 4])
        #expect(Tensor.arange(1, 2, step: 0.25).scalars == [1, 1.25, 1.5, 1.75])
        #expect(Tensor.arange(3, 0, step: -1).scalars == [3, 2, 1])
        #expect(Tensor.arange(2, 2).shape == [0])
        #expect(Tensor.linspace(0, 1, count: 5).scalars == [0, 0.25, 0.5, 0.75, 1])
        #expect(Tensor.linspace(-2, 2, count: 3).scalars == [-2, 0, 2])
        #expect(Tensor.linspace(7, 9, count: 1).scalars == [7])
    }

    // MARK: Shape operations

    @Test func reshapeInfersMinusOne() {
        let t = Tensor.arange(0, 12)
        let a = t.reshaped([3, -1])
        #expect(a.shape == [3, 4])
        #expect(a.scalars == t.scalars)
        #expect(t.reshaped([-1, 2, 3]).shape == [2, 2, 3])
        #expect(a.reshaped([-1]).shape == [12])
        #expect(Tensor(Float(5)).reshaped([1, 1]).shape == [1, 1])
        #expect(t.reshaped([2, 6]).expandingShape(at: 0).shape == [1, 2, 6])
        #expect(t.reshaped([2, 6]).expandingShape(at: 1).shape == [2, 1, 6])
        #expect(t.reshaped([2, 6]).expandingShape(at: -1).shape == [2, 6, 1])
    }

    @Test func transposeOfSmallMatrix() {
        let t = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]).transposed()
        #expect(t.shape == [3, 2])
        #expect(t.scalars == [1, 4, 2, 5, 3, 6])
    }

    @Test func transposeOfMatrixLargerThanOneBlock() {
        // 37 × 70 crosses the 32-element blocks of the kernel with ragged edges.
        let (rows, cols) = (37, 70)
        let m = Tensor.arange(0, Float(rows * cols)).reshaped([rows, cols])
        let t = m.transposed()
        #expect(t.shape == [cols, rows])
        let values = t.scalars
        var wrong = 0
        for r in 0..<rows {
            for c in 0..<cols where values[c * rows + r] != Float(r * cols + c) { wrong += 1 }
        }
        #expect(wrong == 0)
        #expect(t.transposed() == m)
    }

    @Test func sliceAlongEachAxis() {
        let t = Tensor.arange(0, 24).reshaped([2, 3, 4])
        let a0 = t.slice(alongAxis: 0, 1..<2)
        #expect(a0.shape == [1, 3, 4])
        #expect(a0.scalars == (12..<24).map(Float.init))
        let a1 = t.slice(alongAxis: 1, 1..<3)
        #expect(a1.shape == [2, 2, 4])
        #expect(a1.scalars == [4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23])
        let a2 = t.slice(alongAxis: -1, 2..<3)
        #expect(a2.shape == [2, 3, 1])
        #expect(a2.scalars == [2, 6, 10, 14, 18, 22])
        #expect(t.slice(alongAxis: 2, 1..<1).shape == [2, 3, 0])
    }

    @Test func padPlacesValuesInsideZeros() {
        let t = Tensor([1, 2, 3, 4], shape: [2, 2])
        let p = t.padded(into: [2, 5], alongAxis: 1, at: 2)
        #expect(p.shape == [2, 5])
        #expect(p.scalars == [0, 0, 1, 2, 0, 0, 0, 3, 4, 0])
        let q = t.padded(into: [3, 2], alongAxis: 0, at: 1)
        #expect(q.scalars == [0, 0, 1, 2, 3, 4])
        // A slice undoes the pad.
        #expect(p.slice(alongAxis: 1, 2..<4) == t)
    }

    @Test func concatenateAlongBothAxes() {
        let a = Tensor([1, 2, 3, 4], shape: [2, 2])
        let b = Tensor([5, 6], shape: [1, 2])
        let c = Tensor([7, 8, 9, 10, 11, 12], shape: [2, 3])
        let rows = Tensor.concatenate([a, b], alongAxis: 0)
        #expect(rows.shape == [3, 2])
        #expect(rows.scalars == [1, 2, 3, 4, 5, 6])
        let cols = Tensor.concatenate([a, c], alongAxis: -1)
        #expect(cols.shape == [2, 5])
        #expect(cols.scalars == [1, 2, 7, 8, 9, 3, 4, 10, 11, 12])
        let middle = Tensor.concatenate(
            [Tensor.arange(0, 4).reshaped([2, 1, 2]), Tensor.arange(10, 14).reshaped([2, 1, 2])], alongAxis: 1)
        #expect(middle.shape == [2, 2, 2])
        #expect(middle.scalars == [0, 1, 10, 11, 2, 3, 12, 13])
    }

    @Test func gatherRowsWithRepeats() {
        let t = Tensor([1, 2, 3, 4, 5, 6], shape: [3, 2])
        let g = t.gathering(rows: [2, 0, 2])
        #expect(g.shape == [3, 2])
        #expect(g.scalars == [5, 6, 1, 2, 5, 6])
        let v = Tensor([10, 20, 30]).gathering(rows: [1, 1, 0, 2])
        #expect(v.scalars == [20, 20, 10, 30])
        #expect(t.gathering(rows: []).shape == [0, 2])
    }

    @Test func scatterAddAccumulatesRepeatedRows() {
        let rows = Tensor([1, 2, 3, 4, 5, 6], shape: [3, 2])
        let s = rows.scatteringAdd(rows: [1, 1, 0], into: [3, 2])
        #expect(s.shape == [3, 2])
        #expect(s.scalars == [5, 6, 4, 6, 0, 0])
        #expect(Tensor([1, 2, 3]).scatteringAdd(rows: [2, 0, 2], into: [4]).scalars == [2, 0, 4, 0])
    }

    // MARK: Broadcasting

    /// `op` applied with NumPy broadcasting by nested loops over the output's multi-index.
    static func naiveBroadcast(
        _ a: Tensor, _ b: Tensor, _ op: (Float, Float) -> Float
    ) -> (shape: [Int], values: [Float]) {
        let rank = max(a.rank, b.rank)
        let sa = [Int](repeating: 1, count: rank - a.rank) + a.shape
        let sb = [Int](repeating: 1, count: rank - b.rank) + b.shape
        let shape = zip(sa, sb).map { max($0, $1) }
        let (va, vb) = (a.scalars, b.scalars)
        var values: [Float] = []
        for flat in 0..<Tensor.elementCount(of: shape) {
            var rest = flat
            var index = [Int](repeating: 0, count: rank)
            for axis in (0..<rank).reversed() {
                index[axis] = rest % shape[axis]
                rest /= shape[axis]
            }
            func offset(_ s: [Int]) -> Int {
                var o = 0
                for axis in 0..<rank { o = o * s[axis] + (s[axis] == 1 ? 0 : index[axis]) }
                return o
            }
            values.append(op(va[offset(sa)], vb[offset(sb)]))
        }
        return (shape, values)
    }

    static let broadcastShapes: [([Int], [Int])] = [
        ([3, 4], [3, 4]),  // same shape
        ([3, 4], [4]),  // [N, C] + [C]
        ([3, 1], [3, 4]),  // [N, 1] * [N, C]
        ([1, 4], [3, 1]),  // [1, C] + [N, 1]
        ([], [3, 4]),  // rank-0 tensor
        ([3, 4], [1]),  // one-element vector
        ([2, 1, 3], [2, 4, 3]),  // rank 3, middle axis
        ([2, 4, 3], [4, 1]),  // rank 3 with rank 2, last axis
        ([2, 1, 3], [4, 1]),  // both sides broadcast
        ([5, 1, 1], [1, 2, 3]),
    ]

    @Test(arguments: broadcastShapes)
    func binaryOpsBroadcastLikeNumPy(_ shapes: ([Int], [Int])) {
        var rng = SplitMix64(seed: 101)
        let a = rng.uniform(shapes.0, -2, 2)
        let b = rng.awayFromZero(shapes.1, 0.5, 2)
        let cases: [(String, Tensor, (Float, Float) -> Float)] = [
            ("+", a + b, { $0 + $1 }), ("−", a - b, { $0 - $1 }), ("·", a * b, { $0 * $1 }),
            ("/", a / b, { $0 / $1 }), ("max", Tensor.maximum(a, b), { max($0, $1) }),
            ("min", Tensor.minimum(a, b), { min($0, $1) }),
            // Reversed operand order exercises the other side of the broadcast.
            ("+ reversed", b + a, { $1 + $0 }), ("− reversed", b - a, { $1 - $0 }),
            ("/ reversed", b / (a + 3), { $1 / ($0 + 3) }),
        ]
        for (name, result, op) in cases {
            let expected = TensorTests.naiveBroadcast(a, b, op)
            #expect(result.shape == expected.shape, "\(name) \(shapes)")
            let mismatch = firstMismatch(result.scalars, expected.values, absoluteTolerance: 0, relativeTolerance: 1e-6)
            #expect(mismatch == nil, "\(name) \(shapes): \(String(describing: mismatch))")
        }
    }

    @Test func broadcastByHandComputedValues() {
        let m = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect((m + Tensor([10, 20, 30])).scalars == [11, 22, 33, 14, 25, 36])
        #expect((Tensor([2, 3], shape: [2, 1]) * m).scalars == [2, 4, 6, 12, 15, 18])
        let outer = Tensor([1, 2, 3], shape: [1, 3]) + Tensor([10, 20], shape: [2, 1])
        #expect(outer.shape == [2, 3])
        #expect(outer.scalars == [11, 12, 13, 21, 22, 23])
        #expect((m - Tensor(Float(1))).scalars == [0, 1, 2, 3, 4, 5])
        let cube = Tensor.arange(0, 6).reshaped([2, 1, 3]) + Tensor([100, 200], shape: [1, 2, 1])
        #expect(cube.shape == [2, 2, 3])
        #expect(cube.scalars == [100, 101, 102, 200, 201, 202, 103, 104, 105, 203, 204, 205])
    }

    @Test func scalarArithmeticOnEitherSide() {
        let x = Tensor([1, 2, 4])
        #expect((x + 1).scalars == [2, 3, 5])
        #expect((1 + x).scalars == [2, 3, 5])
        #expect((x - 1).scalars == [0, 1, 3])
        #expect((1 - x).scalars == [0, -1, -3])
        #expect((x * 3).scalars == [3, 6, 12])
        #expect((3 * x).scalars == [3, 6, 12])
        #expect((x / 2).scalars == [0.5, 1, 2])
        #expect((2 / x).scalars == [2, 1, 0.5])
        #expect((-x).scalars == [-1, -2, -4])
        var y = x
        y += Tensor([1, 1, 1])
        y -= Tensor([0.5])
        y *= Tensor([2, 2, 2])
        y *= 0.5
        #expect(y.scalars == [1.5, 2.5, 4.5])
    }

    @Test func broadcastedAndReducedToShape() {
        let row = Tensor([1, 2, 3])
        let b = row.broadcasted(to: [2, 3])
        #expect(b.scalars == [1, 2, 3, 1, 2, 3])
        let col = Tensor([1, 2], shape: [2, 1]).broadcasted(to: [2, 2, 3])
        #expect(col.scalars == [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2])
        let m = Tensor.arange(0, 24).reshaped([2, 3, 4])
        #expect(m.reduced(toShape: [4]).scalars == [60, 66, 72, 78])
        #expect(m.reduced(toShape: [3, 1]).scalars == [60, 92, 124])
        #expect(m.reduced(toShape: [2, 1, 1]).scalars == [66, 210])
        #expect(m.reduced(toShape: []).scalar == 276)
    }

    // MARK: Reductions

    @Test func sumsAndMeansAlongAxes() {
        let t = Tensor.arange(0, 24).reshaped([2, 3, 4])
        #expect(t.sum().shape == [])
        #expect(t.sum().scalar == 276)
        #expect(t.mean().scalar == 11.5)
        let s0 = t.sum(alongAxis: 0)
        #expect(s0.shape == [3, 4])
        #expect(s0.scalars == [12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34])
        let s1 = t.sum(alongAxis: 1, keepingDimension: true)
        #expect(s1.shape == [2, 1, 4])
        #expect(s1.scalars == [12, 15, 18, 21, 48, 51, 54, 57])
        let s2 = t.sum(alongAxis: -1)
        #expect(s2.shape == [2, 3])
        #expect(s2.scalars == [6, 22, 38, 54, 70, 86])
        let m1 = t.mean(alongAxis: 1)
        #expect(m1.shape == [2, 4])
        #expect(m1.scalars == [4, 5, 6, 7, 16, 17, 18, 19])
        #expect(t.mean(alongAxis: 2, keepingDimension: true).shape == [2, 3, 1])
    }

    @Test func sumOfTenMillionElementsAccumulatesInDouble() {
        let n = 10_000_000
        #expect(Tensor.ones([n]).sum().scalar == 10_000_000)
        #expect(Tensor.ones([n]).mean().scalar == 1)
        // A Float32 running sum of 0.1 drifts by ≈9 % over 10⁷ terms; a Double one is exact to
        // Float32 rounding of 10⁶ (Float(0.1)·10⁷ = 1_000_000.015).
        let tenths = Tensor.full([n], 0.1)
        #expect(tenths.sum().scalar == 1_000_000)
        // The strided path (sum over a leading axis) accumulates in Double too.
        let columns = tenths.reshaped([n / 4, 4]).sum(alongAxis: 0)
        #expect(columns.scalars == [250_000, 250_000, 250_000, 250_000])
    }

    @Test func maximaAndNorms() {
        let t = Tensor([3, -1, 7, 2, 9, -4], shape: [2, 3])
        #expect(t.max().shape == [])
        #expect(t.max().scalar == 9)
        #expect(t.max(alongAxis: 0).scalars == [3, 9, 7])
        #expect(t.max(alongAxis: 1).scalars == [7, 9])
        #expect(t.max(alongAxis: -1, keepingDimension: true).shape == [2, 1])
        #expect(Tensor([-5, -2, -9]).max().scalar == -2)
        let a = Tensor([1, 2, 3, 4], shape: [2, 2])
        let b = Tensor([5, 6, 7, 8], shape: [2, 2])
        #expect(Tensor.rowDot(a, b).scalars == [17, 53])
        #expect(Tensor([3, 4, 6, 8], shape: [2, 2]).rowNorm().scalars == [5, 10])
        #expect(a.squaredNorm().scalar == 30)
    }

    // MARK: Matrix products

    /// op(A)·op(B) by the textbook triple loop in Double, with A given as m×k and B as k×n.
    static func naiveMatmul(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += Double(a[i * k + p]) * Double(b[p * n + j]) }
                c[i * n + j] = Float(s)
            }
        }
        return c
    }

    @Test(arguments: [false, true], [false, true])
    func matmulMatchesTripleLoop(transposeA: Bool, transposeB: Bool) {
        var rng = SplitMix64(seed: 202)
        for (m, k, n) in [(1, 1, 1), (2, 3, 4), (5, 7, 3), (33, 65, 17)] {
            let a = rng.uniform([m, k])
            let b = rng.uniform([k, n])
            let storedA = transposeA ? a.transposed() : a
            let storedB = transposeB ? b.transposed() : b
            let c = Tensor.matmul(storedA, storedB, transposeA: transposeA, transposeB: transposeB)
            #expect(c.shape == [m, n])
            let expected = TensorTests.naiveMatmul(a.scalars, b.scalars, m: m, k: k, n: n)
            // k terms of size ≤ 1: Float32 accumulation error ≲ k·ε.
            let mismatch = firstMismatch(
                c.scalars, expected, absoluteTolerance: Float(k) * 1.2e-7, relativeTolerance: 1e-6)
            #expect(mismatch == nil, "\(m)×\(k)×\(n): \(String(describing: mismatch))")
        }
    }

    @Test func matmulByHand() {
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let b = Tensor([7, 8, 9, 10, 11, 12], shape: [3, 2])
        #expect(Tensor.matmul(a, b).scalars == [58, 64, 139, 154])
        #expect(Tensor.matmul(a, a, transposeB: true).scalars == [14, 32, 32, 77])
        #expect(Tensor.matmul(a, a, transposeA: true).scalars == [17, 22, 27, 22, 29, 36, 27, 36, 45])
        #expect(Tensor.matmul(Tensor.zeros([2, 0]), Tensor.zeros([0, 3])).scalars == [0, 0, 0, 0, 0, 0])
    }

    @Test func linearEqualsMatmulPlusBias() {
        var rng = SplitMix64(seed: 303)
        let x = rng.uniform([6, 5])
        let w = rng.uniform([4, 5])
        let b = rng.uniform([4])
        let y = Tensor.linear(x, weight: w, bias: b)
        #expect(y.shape == [6, 4])
        let reference = Tensor.matmul(x, w, transposeB: true) + b
        let mismatch = firstMismatch(y.scalars, reference.scalars, absoluteTolerance: 1e-6, relativeTolerance: 1e-6)
        #expect(mismatch == nil, "\(String(describing: mismatch))")
        let byHand = Tensor.linear(
            Tensor([1, 2], shape: [1, 2]), weight: Tensor([1, 0, 0, 1, 1, 1], shape: [3, 2]),
            bias: Tensor([10, 20, 30]))
        #expect(byHand.scalars == [11, 22, 33])
    }

    // MARK: Value semantics

    @Test func copyOnWriteLeavesOtherCopiesUnchanged() {
        let a = Tensor([1, 2, 3, 4], shape: [2, 2])
        var b = a
        b.withUnsafeMutableBufferPointer { $0[0] = 99 }
        #expect(a.scalars == [1, 2, 3, 4])
        #expect(b.scalars == [99, 2, 3, 4])
        // A reshape shares the buffer until one side writes.
        var r = a.reshaped([4])
        r.withUnsafeMutableBufferPointer { $0[3] = -1 }
        #expect(a.scalars == [1, 2, 3, 4])
        #expect(r.scalars == [1, 2, 3, -1])
        // copied() is equal but independent.
        var c = a.copied()
        #expect(c == a)
        c.withUnsafeMutableBufferPointer { $0[1] = 0 }
        #expect(c != a)
        #expect(a.scalars == [1, 2, 3, 4])
    }

    @Test func uniquelyOwnedBufferIsWrittenInPlace() {
        var a = Tensor.zeros([8])
        let before = a.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        a.withUnsafeMutableBufferPointer { $0[2] = 5 }
        let after = a.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        #expect(before == after)
        #expect(a.scalars[2] == 5)
    }

    @Test func writingDropsTracking() {
        var x = Tensor([1, 2]).tracked()
        #expect(x.isTracked)
        x.withUnsafeMutableBufferPointer { $0[0] = 3 }
        #expect(!x.isTracked)
        #expect(x.scalars == [3, 2])
    }

    @Test func equalityComparesShapeAndValues() {
        #expect(Tensor([1, 2, 3, 4], shape: [2, 2]) == Tensor([1, 2, 3, 4], shape: [2, 2]))
        #expect(Tensor([1, 2, 3, 4], shape: [2, 2]) != Tensor([1, 2, 3, 4], shape: [4]))
        #expect(Tensor([1, 2]) != Tensor([1, 3]))
        #expect(Tensor([1, 2]).tracked() == Tensor([1, 2]))
    }

    // MARK: Elementwise functions

    @Test func expIsAccurateOverMinus80To80() {
        // 160 001 points, spacing 1e-3, so every range-reduction branch n ∈ [−116, 116] is hit.
        let x = Tensor.linspace(-80, 80, count: 160_001)
        let y = exp(x)
        var worst = 0.0
        var worstX: Float = 0
        for (xi, yi) in zip(x.scalars, y.scalars) {
            let reference = Foundation.exp(Double(xi))
            let error = Swift.abs(Double(yi) - reference) / reference
            if !(error <= worst) {
                worst = error
                worstX = xi
            }
        }
        #expect(worst <= 3e-7, "max relative error \(worst) at x = \(worstX)")
        #expect(exp(Tensor([0])).scalars == [1])
    }

    @Test func expSaturatesInsteadOfOverflowing() {
        // e^88.3 ≈ 2.229e38 is exact; larger inputs stay finite (e^88.376 ≈ 2.406e38) instead of ∞.
        let y = exp(Tensor([88.3, 88.38, 88.5, 88.7, 100, 1_000])).scalars
        #expect(isApproximatelyEqual(y[0], 2.229_482_5e38, absoluteTolerance: 0, relativeTolerance: 3e-7))
        #expect(y.allSatisfy { $0.isFinite && $0 >= 2.2e38 }, "\(y)")
        #expect(exp(Tensor([-87.3, -100, -1_000])).scalars.allSatisfy { $0 >= 0 && $0 < 1.3e-38 })
    }

    /// A unary function of a tensor with its Double reference and the interval to compare it on.
    struct UnaryReference: Sendable, CustomTestStringConvertible {
        let name: String
        let op: @Sendable (Tensor) -> Tensor
        let reference: @Sendable (Double) -> Double
        let lower: Float
        let upper: Float
        let absoluteTolerance: Float
        let relativeTolerance: Float
        var testDescription: String { name }
    }

    static let unaryReferences: [UnaryReference] = [
        .init(
            name: "log", op: log, reference: Foundation.log, lower: 1e-3, upper: 50, absoluteTolerance: 0,
            relativeTolerance: 2e-7),
        .init(
            name: "sqrt", op: sqrt, reference: Foundation.sqrt, lower: 0, upper: 50, absoluteTolerance: 0,
            relativeTolerance: 1e-7),
        .init(
            name: "square", op: square, reference: { $0 * $0 }, lower: -9, upper: 9, absoluteTolerance: 0,
            relativeTolerance: 1e-7),
        .init(
            name: "pow 2.5", op: { pow($0, 2.5) }, reference: { Foundation.pow($0, 2.5) }, lower: 0, upper: 9,
            absoluteTolerance: 0, relativeTolerance: 2e-7),
        .init(
            name: "pow −1.5", op: { pow($0, -1.5) }, reference: { Foundation.pow($0, -1.5) }, lower: 0.1, upper: 9,
            absoluteTolerance: 0, relativeTolerance: 2e-7),
        .init(
            name: "abs", op: abs, reference: Swift.abs, lower: -5, upper: 5, absoluteTolerance: 0, relativeTolerance: 0),
        .init(
            name: "sign", op: sign, reference: { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }, lower: -5, upper: 5,
            absoluteTolerance: 0, relativeTolerance: 0),
        .init(
            name: "tanh", op: tanh, reference: Foundation.tanh, lower: -10, upper: 10, absoluteTolerance: 1e-7,
            relativeTolerance: 2e-7),
        .init(
            name: "sigmoid", op: sigmoid, reference: { 1 / (1 + Foundation.exp(-$0)) }, lower: -30, upper: 30,
            absoluteTolerance: 1e-12, relativeTolerance: 5e-7),
        .init(
            name: "silu", op: silu, reference: { $0 / (1 + Foundation.exp(-$0)) }, lower: -30, upper: 30,
            absoluteTolerance: 1e-10, relativeTolerance: 5e-7),
        .init(
            name: "softplus", op: softplus,
            reference: { Swift.max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) },
            lower: -30, upper: 30, absoluteTolerance: 1e-12, relativeTolerance: 5e-7),
        .init(
            name: "normalCDF", op: normalCDF, reference: { 0.5 * Foundation.erfc(-$0 / 2.0.squareRoot()) },
            lower: -6, upper: 6, absoluteTolerance: 2e-7, relativeTolerance: 5e-7),
        .init(
            name: "gelu", op: gelu, reference: { $0 * 0.5 * Foundation.erfc(-$0 / 2.0.squareRoot()) },
            lower: -6, upper: 6, absoluteTolerance: 1e-6, relativeTolerance: 5e-7),
        .init(
            name: "sin", op: sin, reference: Foundation.sin, lower: -10, upper: 10, absoluteTolerance: 1e-7,
            relativeTolerance: 2e-7),
        .init(
            name: "cos", op: cos, reference: Foundation.cos, lower: -10, upper: 10, absoluteTolerance: 1e-7,
            relativeTolerance: 2e-7),
        .init(
            name: "clamp [−1, 2]", op: { clamp($0, min: -1, max: 2) }, reference: { Swift.min(Swift.max($0, -1), 2) },
            lower: -5, upper: 5, absoluteTolerance: 0, relativeTolerance: 0),
        .init(
            name: "siluBackward(x, 1)", op: { siluBackward($0, Tensor.ones($0.shape)) },
            reference: { x in
                let s = 1 / (1 + Foundation.exp(-x))
                return s * (1 + x * (1 - s))
            }, lower: -30, upper: 30, absoluteTolerance: 1e-7, relativeTolerance: 1e-6),
    ]

    @Test(arguments: unaryReferences)
    func unaryFunctionMatchesDoubleReference(_ f: UnaryReference) {
        let x = Tensor.linspace(f.lower, f.upper, count: 2_001)
        let y = f.op(x)
        #expect(y.shape == x.shape)
        let expected = x.scalars.map { Float(f.reference(Double($0))) }
        let mismatch = firstMismatch(
            y.scalars, expected, absoluteTolerance: f.absoluteTolerance, relativeTolerance: f.relativeTolerance)
        #expect(mismatch == nil, "\(f.name): \(String(describing: mismatch))")
    }

    @Test func extremeInputsStayFinite() {
        let x = Tensor([-100, -88, 88, 100])
        for (name, y) in [
            ("exp", exp(x)), ("sigmoid", sigmoid(x)), ("silu", silu(x)), ("softplus", softplus(x)), ("tanh", tanh(x)),
            ("gelu", gelu(x)), ("normalCDF", normalCDF(x)),
        ] {
            #expect(y.scalars.allSatisfy { $0.isFinite }, "\(name)(±100) = \(y.scalars)")
        }
        let s = sigmoid(x).scalars
        #expect(isApproximatelyEqual(s[0], 0, absoluteTolerance: 1e-30) && s[3] == 1)
        let si = silu(x).scalars
        #expect(isApproximatelyEqual(si[0], 0, absoluteTolerance: 1e-30) && si[3] == 100)
        let sp = softplus(x).scalars
        #expect(isApproximatelyEqual(sp[0], 0, absoluteTolerance: 1e-30) && sp[3] == 100 && sp[2] == 88)
        #expect(tanh(x).scalars == [-1, -1, 1, 1])
        #expect(normalCDF(x).scalars == [0, 0, 1, 1])
        #expect(gelu(x).scalars == [-0, -0, 88, 100])
        // The derivatives at the extremes are finite too.
        let ones = Tensor.ones([4])
        let d = siluBackward(x, ones).scalars
        #expect(d.allSatisfy { $0.isFinite }, "siluBackward(±100) = \(d)")
        #expect(isApproximatelyEqual(d[0], 0, absoluteTolerance: 1e-30) && d[3] == 1)
    }

    @Test func selectPicksByConditionWithBroadcasting() {
        let cond = Tensor([1, 0, 1, 0])
        let a = Tensor([1, 2, 3, 4])
        let b = Tensor([10, 20, 30, 40])
        #expect(select(cond, a, b).scalars == [1, 20, 3, 40])
        // Any non-zero counts as true.
        #expect(select(Tensor([-2, 0.5, 0, 0]), a, b).scalars == [1, 2, 30, 40])
        let rows = select(
            Tensor([1, 0], shape: [2, 1]), Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]), Tensor(Float(-1)))
        #expect(rows.shape == [2, 3])
        #expect(rows.scalars == [1, 2, 3, -1, -1, -1])
    }

    @Test func maximumAndMinimumByHand() {
        let a = Tensor([1, 5, -3], shape: [3, 1])
        let b = Tensor([0, 2])
        #expect(Tensor.maximum(a, b).scalars == [1, 2, 5, 5, 0, 2])
        #expect(Tensor.minimum(a, b).scalars == [0, 1, 0, 2, -3, -3])
    }
}
