import ScoreKitCore
import ScoreKitTesting
import Testing

/// How a test draws one input: ranges keep inputs inside an operation's domain and away from
/// kinks (abs at 0, clamp at its bounds, ties in max) by many finite-difference steps.
enum InputDomain: Sendable {
    /// Uniform in [lower, upper).
    case uniform(Float, Float)
    /// Magnitude uniform in [lower, upper), random sign.
    case awayFromZero(Float, Float)
    /// A random permutation of `0.1·k − 1` (k = 0, 1, …): distinct values 0.1 apart, for `max`.
    case distinct
    /// Fixed values, in row-major order.
    case values([Float])

    func draw(_ shape: [Int], _ rng: inout SplitMix64) -> Tensor {
        switch self {
        case .uniform(let lower, let upper): return rng.uniform(shape, lower, upper)
        case .awayFromZero(let lower, let upper): return rng.awayFromZero(shape, lower, upper)
        case .distinct:
            var grid = (0..<Tensor.elementCount(of: shape)).map { Float($0) * 0.1 - 1 }
            for i in grid.indices.reversed() where i > 0 {
                grid.swapAt(i, Int(rng.next() % UInt64(i + 1)))
            }
            return Tensor(grid, shape: shape)
        case .values(let values): return Tensor(values, shape: shape)
        }
    }
}

/// A differentiable function of some tensors with the inputs to check it at.
struct GradientCase: Sendable, CustomTestStringConvertible {
    let name: String
    let shapes: [[Int]]
    let domains: [InputDomain]
    let f: @Sendable ([Tensor]) -> Tensor
    /// The finite-difference step (relative, as `checkGradients` takes it).
    let step: Double

    init(
        _ name: String, _ shapes: [[Int]], _ domains: [InputDomain], step: Double = 1e-3,
        _ f: @escaping @Sendable ([Tensor]) -> Tensor
    ) {
        precondition(shapes.count == domains.count, "\(name): one domain per input")
        self.name = name
        self.shapes = shapes
        self.domains = domains
        self.step = step
        self.f = f
    }

    /// A function of one tensor.
    static func unary(
        _ name: String, _ shape: [Int], _ domain: InputDomain, _ f: @escaping @Sendable (Tensor) -> Tensor
    ) -> GradientCase {
        GradientCase(name, [shape], [domain]) { f($0[0]) }
    }

    /// The inputs, drawn from a generator with the suite's fixed seed.
    func inputs(seed: UInt64) -> [Tensor] {
        var rng = SplitMix64(seed: seed)
        return zip(shapes, domains).map { $1.draw($0, &rng) }
    }

    var testDescription: String { name }
}

/// Binary operations with broadcasting, crossed with the broadcast shapes of `TensorTests`.
enum BinaryOperation: String, CaseIterable, Sendable {
    case add, subtract, multiply, divide, maximum, minimum

    func callAsFunction(_ a: Tensor, _ b: Tensor) -> Tensor {
        switch self {
        case .add: a + b
        case .subtract: a - b
        case .multiply: a * b
        case .divide: a / b
        case .maximum: Tensor.maximum(a, b)
        case .minimum: Tensor.minimum(a, b)
        }
    }

    /// Divisors stay in ±[0.5, 2]; `max` and `min` operands differ by at least 0.1.
    var domains: (InputDomain, InputDomain) {
        switch self {
        case .add, .subtract, .multiply: (.uniform(-1, 1), .uniform(-1, 1))
        case .divide: (.uniform(-1, 1), .awayFromZero(0.5, 2))
        case .maximum, .minimum: (.awayFromZero(0.2, 1), .uniform(-0.1, 0.1))
        }
    }
}

/// Finite-difference checks of every differentiable operation, first and second order.
///
/// Float32 central differences: with step h = 1e-3·max(1, |x|) the rounding noise of an O(1)
/// function is ≈ ε/h ≈ 6e-5 and the truncation error h²·f'''/6 ≈ 2e-7·f''', so first-order
/// gradients must agree within 1e-3 absolute or 5e-3 relative; second order (differences of a
/// Float32 backward pass) within 2e-3 absolute or 1e-2 relative.
@Suite("Gradients")
struct GradientTests {
    static let seed: UInt64 = 0x5C0E_5EED
    static let step = 1e-3
    static let firstOrder: (absolute: Float, relative: Float) = (1e-3, 5e-3)
    static let secondOrder: (absolute: Float, relative: Float) = (2e-3, 1e-2)

    // MARK: First order

    @Test(arguments: BinaryOperation.allCases, TensorTests.broadcastShapes)
    func binaryOperationWithBroadcasting(_ op: BinaryOperation, _ shapes: ([Int], [Int])) {
        let c = GradientCase("\(op) \(shapes)", [shapes.0, shapes.1], [op.domains.0, op.domains.1]) { op($0[0], $0[1]) }
        let result = checkGradients(
            of: c.f, at: c.inputs(seed: GradientTests.seed), step: GradientTests.step,
            absoluteTolerance: GradientTests.firstOrder.absolute, relativeTolerance: GradientTests.firstOrder.relative)
        #expect(result.passed, "\(c.name): \(result)")
    }

    static let firstOrderCases: [GradientCase] = [
        // Scalar operands on either side.
        .unary("x + 2.5", [3, 4], .uniform(-1, 1)) { $0 + 2.5 },
        .unary("2.5 + x", [3, 4], .uniform(-1, 1)) { 2.5 + $0 },
        .unary("x − 1.5", [3, 4], .uniform(-1, 1)) { $0 - 1.5 },
        .unary("1.5 − x", [3, 4], .uniform(-1, 1)) { 1.5 - $0 },
        .unary("x · 1.7", [3, 4], .uniform(-1, 1)) { $0 * 1.7 },
        .unary("1.7 · x", [3, 4], .uniform(-1, 1)) { 1.7 * $0 },
        .unary("x / 1.3", [3, 4], .uniform(-1, 1)) { $0 / 1.3 },
        .unary("1.3 / x", [3, 4], .awayFromZero(0.5, 2)) { 1.3 / $0 },
        .unary("−x", [3, 4], .uniform(-1, 1)) { -$0 },
        // Elementwise functions.
        .unary("exp", [3, 4], .uniform(-2, 2)) { exp($0) },
        .unary("log", [3, 4], .uniform(0.2, 3)) { log($0) },
        .unary("sqrt", [3, 4], .uniform(0.2, 3)) { sqrt($0) },
        .unary("square", [3, 4], .uniform(-2, 2)) { square($0) },
        .unary("pow 2.5", [3, 4], .uniform(0.2, 2)) { pow($0, 2.5) },
        .unary("pow −1.5", [3, 4], .uniform(0.3, 2)) { pow($0, -1.5) },
        .unary("pow 3", [3, 4], .uniform(-2, 2)) { pow($0, 3) },
        .unary("abs", [3, 4], .awayFromZero(0.1, 2)) { abs($0) },
        .unary("sign (no gradient)", [3, 4], .awayFromZero(0.1, 2)) { sign($0) },
        .unary("tanh", [3, 4], .uniform(-2, 2)) { tanh($0) },
        .unary("sigmoid", [3, 4], .uniform(-4, 4)) { sigmoid($0) },
        .unary("silu", [3, 4], .uniform(-4, 4)) { silu($0) },
        GradientCase("siluBackward", [[3, 4], [3, 4]], [.uniform(-4, 4), .uniform(-1, 1)]) {
            siluBackward($0[0], $0[1])
        },
        GradientCase("siluBackward broadcast g", [[3, 4], [4]], [.uniform(-4, 4), .uniform(-1, 1)]) {
            siluBackward($0[0], $0[1])
        },
        .unary("softplus", [3, 4], .uniform(-4, 4)) { softplus($0) },
        .unary("gelu", [3, 4], .uniform(-3, 3)) { gelu($0) },
        .unary("normalCDF", [3, 4], .uniform(-3, 3)) { normalCDF($0) },
        .unary("sin", [3, 4], .uniform(-3, 3)) { sin($0) },
        .unary("cos", [3, 4], .uniform(-3, 3)) { cos($0) },
        // Bounds −0.5 and 0.7; every value is ≥ 0.1 from both.
        .unary(
            "clamp", [2, 5], .values([-2, -0.9, -0.6, -0.4, -0.1, 0.2, 0.6, 0.8, 1.3, 2])
        ) { clamp($0, min: -0.5, max: 0.7) },
        GradientCase("select", [[3, 4], [4]], [.uniform(-1, 1), .uniform(-1, 1)]) {
            select(Tensor([1, 0, 1], shape: [3, 1]), $0[0], $0[1])
        },
        // Reductions.
        .unary("sum()", [2, 3, 4], .uniform(-1, 1)) { $0.sum() },
        .unary("sum axis 0", [2, 3, 4], .uniform(-1, 1)) { $0.sum(alongAxis: 0) },
        .unary("sum axis 1 keeping", [2, 3, 4], .uniform(-1, 1)) { $0.sum(alongAxis: 1, keepingDimension: true) },
        .unary("sum axis −1", [2, 3, 4], .uniform(-1, 1)) { $0.sum(alongAxis: -1) },
        .unary("mean()", [2, 3, 4], .uniform(-1, 1)) { $0.mean() },
        .unary("mean axis 1", [2, 3, 4], .uniform(-1, 1)) { $0.mean(alongAxis: 1) },
        .unary("mean axis 0 keeping", [2, 3, 4], .uniform(-1, 1)) { $0.mean(alongAxis: 0, keepingDimension: true) },
        .unary("max()", [2, 3, 4], .distinct) { $0.max() },
        .unary("max axis 0", [2, 3, 4], .distinct) { $0.max(alongAxis: 0) },
        .unary("max axis 1 keeping", [2, 3, 4], .distinct) { $0.max(alongAxis: 1, keepingDimension: true) },
        .unary("max axis −1", [2, 3, 4], .distinct) { $0.max(alongAxis: -1) },
        GradientCase("rowDot", [[3, 4], [3, 4]], [.uniform(-1, 1), .uniform(-1, 1)]) { Tensor.rowDot($0[0], $0[1]) },
        .unary("rowNorm", [3, 4], .awayFromZero(0.2, 1)) { $0.rowNorm() },
        .unary("squaredNorm", [3, 4], .uniform(-1, 1)) { $0.squaredNorm() },
        // Shape operations.
        .unary("reshaped [−1]", [2, 3, 4], .uniform(-1, 1)) { $0.reshaped([-1]) },
        .unary("reshaped [4, −1]", [2, 3, 4], .uniform(-1, 1)) { $0.reshaped([4, -1]) },
        .unary("expandingShape at 1", [3, 4], .uniform(-1, 1)) { $0.expandingShape(at: 1) },
        .unary("transposed", [3, 5], .uniform(-1, 1)) { $0.transposed() },
        .unary("slice axis 0", [3, 2, 4], .uniform(-1, 1)) { $0.slice(alongAxis: 0, 1..<3) },
        .unary("slice axis 1", [3, 4, 2], .uniform(-1, 1)) { $0.slice(alongAxis: 1, 1..<3) },
        .unary("slice axis −1", [3, 5], .uniform(-1, 1)) { $0.slice(alongAxis: -1, 2..<5) },
        .unary("padded axis 1", [2, 2, 3], .uniform(-1, 1)) { $0.padded(into: [2, 5, 3], alongAxis: 1, at: 2) },
        GradientCase(
            "concatenate axis 0", [[1, 3], [2, 3], [3, 3]], [.uniform(-1, 1), .uniform(-1, 1), .uniform(-1, 1)]
        ) {
            Tensor.concatenate($0, alongAxis: 0)
        },
        GradientCase("concatenate axis 1", [[2, 1], [2, 3]], [.uniform(-1, 1), .uniform(-1, 1)]) {
            Tensor.concatenate($0, alongAxis: 1)
        },
        .unary("gathering rows", [3, 4], .uniform(-1, 1)) { $0.gathering(rows: [2, 0, 2, 1]) },
        .unary("gathering rank 1", [5], .uniform(-1, 1)) { $0.gathering(rows: [4, 4, 0]) },
        .unary("scatteringAdd", [3, 2], .uniform(-1, 1)) { $0.scatteringAdd(rows: [1, 1, 0], into: [3, 2]) },
        .unary("broadcasted [3, 1] → [3, 4]", [3, 1], .uniform(-1, 1)) { $0.broadcasted(to: [3, 4]) },
        .unary("broadcasted [4] → [2, 3, 4]", [4], .uniform(-1, 1)) { $0.broadcasted(to: [2, 3, 4]) },
        .unary("reduced [2, 3, 4] → [3, 1]", [2, 3, 4], .uniform(-1, 1)) { $0.reduced(toShape: [3, 1]) },
        .unary("reduced [2, 3, 4] → [4]", [2, 3, 4], .uniform(-1, 1)) { $0.reduced(toShape: [4]) },
        .unary("reduced [2, 3] → []", [2, 3], .uniform(-1, 1)) { $0.reduced(toShape: []) },
        // Matrix products (the transpose combinations have their own test).
        GradientCase("linear", [[5, 3], [4, 3], [4]], [.uniform(-1, 1), .uniform(-1, 1), .uniform(-1, 1)]) {
            Tensor.linear($0[0], weight: $0[1], bias: $0[2])
        },
        GradientCase("linearSiLU", [[5, 3], [4, 3], [4]], [.uniform(-2, 2), .uniform(-2, 2), .uniform(-1, 1)]) {
            Tensor.linearSiLU($0[0], weight: $0[1], bias: $0[2])
        },
        // A composite that reuses its input along several paths.
        GradientCase("composite", [[3, 4], [4]], [.uniform(-1, 1), .uniform(0.5, 1.5)]) { x in
            let h = tanh(x[0] * x[1]) + sigmoid(x[0]) * x[0]
            return (h / x[1]).sum(alongAxis: 1)
        },
    ]

    @Test(arguments: firstOrderCases)
    func firstOrder(_ c: GradientCase) {
        let result = checkGradients(
            of: c.f, at: c.inputs(seed: GradientTests.seed), step: GradientTests.step,
            absoluteTolerance: GradientTests.firstOrder.absolute, relativeTolerance: GradientTests.firstOrder.relative)
        #expect(result.passed, "\(c.name): \(result)")
    }

    @Test(arguments: [false, true], [false, true])
    func matmul(transposeA: Bool, transposeB: Bool) {
        // op(A) is 4×3 and op(B) 3×5, stored transposed when the flag is set.
        let c = GradientCase(
            "matmul", [transposeA ? [3, 4] : [4, 3], transposeB ? [5, 3] : [3, 5]], [.uniform(-1, 1), .uniform(-1, 1)]
        ) { Tensor.matmul($0[0], $0[1], transposeA: transposeA, transposeB: transposeB) }
        let inputs = c.inputs(seed: GradientTests.seed)
        let first = checkGradients(
            of: c.f, at: inputs, step: GradientTests.step,
            absoluteTolerance: GradientTests.firstOrder.absolute, relativeTolerance: GradientTests.firstOrder.relative)
        #expect(first.passed, "matmul(transposeA: \(transposeA), transposeB: \(transposeB)): \(first)")
        let second = checkSecondOrder(
            of: c.f, at: inputs, step: GradientTests.step,
            absoluteTolerance: GradientTests.secondOrder.absolute, relativeTolerance: GradientTests.secondOrder.relative
        )
        #expect(second.passed, "matmul(transposeA: \(transposeA), transposeB: \(transposeB)): \(second)")
    }

    // MARK: Second order

    static let secondOrderCases: [GradientCase] = [
        .unary("exp", [3, 4], .uniform(-2, 2)) { exp($0) },
        .unary("log", [3, 4], .uniform(0.5, 3)) { log($0) },
        .unary("sqrt", [3, 4], .uniform(0.5, 3)) { sqrt($0) },
        .unary("square", [3, 4], .uniform(-2, 2)) { square($0) },
        .unary("pow 2.5", [3, 4], .uniform(0.5, 2)) { pow($0, 2.5) },
        .unary("pow 3", [3, 4], .uniform(-2, 2)) { pow($0, 3) },
        .unary("tanh", [3, 4], .uniform(-2, 2)) { tanh($0) },
        .unary("sigmoid", [3, 4], .uniform(-4, 4)) { sigmoid($0) },
        .unary("silu", [3, 4], .uniform(-4, 4)) { silu($0) },
        GradientCase("siluBackward", [[3, 4], [3, 4]], [.uniform(-4, 4), .uniform(-1, 1)]) {
            siluBackward($0[0], $0[1])
        },
        .unary("softplus", [3, 4], .uniform(-4, 4)) { softplus($0) },
        .unary("gelu", [3, 4], .uniform(-3, 3)) { gelu($0) },
        .unary("normalCDF", [3, 4], .uniform(-3, 3)) { normalCDF($0) },
        .unary("sin", [3, 4], .uniform(-3, 3)) { sin($0) },
        .unary("cos", [3, 4], .uniform(-3, 3)) { cos($0) },
        GradientCase("a · b", [[3, 4], [3, 4]], [.uniform(-1, 1), .uniform(-1, 1)]) { $0[0] * $0[1] },
        GradientCase("a · b broadcast", [[3, 4], [4]], [.uniform(-1, 1), .uniform(-1, 1)]) { $0[0] * $0[1] },
        GradientCase("a / b", [[3, 4], [3, 4]], [.uniform(-1, 1), .awayFromZero(0.5, 2)]) { $0[0] / $0[1] },
        GradientCase("a / b broadcast", [[3, 4], [3, 1]], [.uniform(-1, 1), .awayFromZero(0.5, 2)]) { $0[0] / $0[1] },
        .unary("1.3 / x", [3, 4], .awayFromZero(0.5, 2)) { 1.3 / $0 },
        .unary("rowNorm", [3, 4], .awayFromZero(0.2, 1)) { $0.rowNorm() },
        GradientCase("silu(linear)", [[5, 3], [4, 3], [4]], [.uniform(-1, 1), .uniform(-1, 1), .uniform(-1, 1)]) {
            silu(Tensor.linear($0[0], weight: $0[1], bias: $0[2]))
        },
        GradientCase("linearSiLU", [[5, 3], [4, 3], [4]], [.uniform(-2, 2), .uniform(-2, 2), .uniform(-1, 1)]) {
            Tensor.linearSiLU($0[0], weight: $0[1], bias: $0[2])
        },
        GradientCase(
            "linear(linearSiLU)", [[5, 3], [4, 3], [4], [2, 4]],
            [.uniform(-1, 1), .uniform(-1, 1), .uniform(-1, 1), .uniform(-1, 1)]
        ) {
            Tensor.linear(
                Tensor.linearSiLU($0[0], weight: $0[1], bias: $0[2]), weight: $0[3], bias: Tensor([0.1, -0.2]))
        },
        GradientCase(
            "linear(silu(linear))", [[5, 3], [4, 3], [4], [2, 4]],
            [.uniform(-1, 1), .uniform(-1, 1), .uniform(-1, 1), .uniform(-1, 1)]
        ) {
            Tensor.linear(
                silu(Tensor.linear($0[0], weight: $0[1], bias: $0[2])), weight: $0[3], bias: Tensor([0.1, -0.2]))
        },
    ]

    @Test(arguments: secondOrderCases)
    func secondOrder(_ c: GradientCase) {
        let result = checkSecondOrder(
            of: c.f, at: c.inputs(seed: GradientTests.seed), step: GradientTests.step,
            absoluteTolerance: GradientTests.secondOrder.absolute, relativeTolerance: GradientTests.secondOrder.relative
        )
        #expect(result.passed, "\(c.name): \(result)")
    }

    // MARK: Tape behaviour

    @Test func cubeHasExactDerivativesToThirdOrder() {
        for (name, cube) in [("x·x·x", { (x: Tensor) in x * x * x }), ("pow(x, 3)", { (x: Tensor) in pow(x, 3) })] {
            let x = Tensor(Float(2)).tracked()
            let y = cube(x)
            #expect(y.scalar == 8, "\(name)")
            let d1 = gradient(of: y, wrt: x, createGraph: true)
            #expect(d1.scalar == 12, "\(name)")
            #expect(d1.isTracked, "\(name)")
            let d2 = gradient(of: d1, wrt: x, createGraph: true)
            #expect(d2.scalar == 12, "\(name)")
            let d3 = gradient(of: d2, wrt: x)
            #expect(d3.scalar == 6, "\(name)")
        }
    }

    @Test func integerPowersHaveFiniteHigherDerivativesAtZero() {
        let x = Tensor([0, 2]).tracked()
        #expect(gradient(of: pow(x, 0).sum(), wrt: x).scalars == [0, 0])
        // x²: 2x, 2, 0 — the last through the gradient of x⁰.
        let d1 = gradient(of: pow(x, 2).sum(), wrt: x, createGraph: true)
        #expect(d1.scalars == [0, 4])
        let d2 = gradient(of: d1.sum(), wrt: x, createGraph: true)
        #expect(d2.scalars == [2, 2])
        let d3 = gradients(of: d2.sum(), wrt: [x])[0]
        #expect(d3.scalars == [0, 0])
    }

    @Test func inputTheOutputIgnoresGetsZeroGradient() {
        let a = Tensor([1, 2, 3]).tracked()
        let b = Tensor([4, 5], shape: [2, 1]).tracked()
        let y = (a * a).sum()
        let g = gradients(of: y, wrt: [a, b])
        #expect(g[0].scalars == [2, 4, 6])
        #expect(g[1].shape == [2, 1])
        #expect(g[1].scalars == [0, 0])
        let h = gradients(of: y, wrt: [b], createGraph: true)
        #expect(h[0].scalars == [0, 0])
        // Through an op that takes b but does not pass it a gradient.
        let z = (a * sign(b.reshaped([2]).sum())).sum()
        #expect(gradients(of: z, wrt: [b])[0].scalars == [0, 0])
    }

    @Test func gradientsAccumulateWhenAnInputIsUsedTwice() {
        let x = Tensor([1, -2, 0.5]).tracked()
        #expect(gradient(of: (x * x).sum(), wrt: x).scalars == [2, -4, 1])
        #expect(gradient(of: (x * x + x).sum(), wrt: x).scalars == [3, -3, 2])
        // Two branches that meet again: d/dx (3x + x²) = 3 + 2x.
        let a = x * 3
        let b = square(x)
        #expect(gradient(of: (a + b).sum(), wrt: x).scalars == [5, -1, 4])
        // A gather that repeats a row sends that row's gradient twice.
        let m = Tensor([1, 2, 3, 4], shape: [2, 2]).tracked()
        #expect(gradient(of: m.gathering(rows: [1, 0, 1]).sum(), wrt: m).scalars == [1, 1, 2, 2])
        // Listing the same input twice gives the same gradient twice.
        let g = gradients(of: (x * x).sum(), wrt: [x, x])
        #expect(g[0] == g[1])
    }

    @Test func withoutRecordingGivesUntrackedResults() {
        let x = Tensor([1, 2, 3]).tracked()
        #expect(Autodiff.isRecording)
        let y = Autodiff.withoutRecording {
            #expect(!Autodiff.isRecording)
            let inner = exp(x) * x + x.sum()
            #expect(!inner.isTracked)
            let nested = Autodiff.withRecording { x * 2 }
            #expect(nested.isTracked)
            return inner
        }
        #expect(!y.isTracked)
        #expect(Autodiff.isRecording)
        #expect((x * 2).isTracked)
        // Gradients without createGraph are plain values; with it they are tracked.
        let f = (x * x).sum()
        #expect(!gradient(of: f, wrt: x).isTracked)
        #expect(gradient(of: f, wrt: x, createGraph: true).isTracked)
        // detached() cuts one path: d/dx Σ stop(x)·x = x.
        #expect(gradient(of: (x.detached() * x).sum(), wrt: x).scalars == [1, 2, 3])
    }

    @Test func gradientWithRespectToAnIntermediate() {
        let x = Tensor([1, 2, 3]).tracked()
        let h = x * 2
        #expect(h.isTracked)
        let y = (h * h).sum()
        let g = gradients(of: y, wrt: [h, x])
        #expect(g[0].scalars == [4, 8, 12])  // 2h
        #expect(g[1].scalars == [8, 16, 24])  // 8x
        #expect(gradient(of: y, wrt: h).scalars == [4, 8, 12])
        // The gradient of an output with respect to itself is the seed.
        #expect(gradients(of: h, wrt: [h], seed: Tensor([1, 2, 3]))[0].scalars == [1, 2, 3])
    }

    @Test func seedGivesVectorJacobianProduct() {
        let x = Tensor([1, 2, 3, 4], shape: [2, 2]).tracked()
        let y = x * x
        let g = gradients(of: y, wrt: [x], seed: Tensor([1, 0, -1, 0.5], shape: [2, 2]))
        #expect(g[0].scalars == [2, 0, -6, 4])
    }

    @Test func valueWithGradientOfUntrackedInput() {
        let (value, g) = valueWithGradient(at: Tensor([1, 2])) { (square($0) * 3).sum() }
        #expect(value.scalar == 15)
        #expect(!value.isTracked)
        #expect(g.scalars == [6, 12])
        let (constant, zero) = valueWithGradient(at: Tensor([1, 2])) { _ in Tensor(Float(4)) }
        #expect(constant.scalar == 4)
        #expect(zero.scalars == [0, 0])
    }

    @Test func derivativesAtExtremeInputsAreFinite() {
        let x = Tensor([-100, -30, 30, 100]).tracked()
        for (name, f) in [
            ("exp", { (t: Tensor) in exp(t) }), ("sigmoid", { sigmoid($0) }), ("silu", { silu($0) }),
            ("softplus", { softplus($0) }),
            ("tanh", { tanh($0) }), ("gelu", { gelu($0) }), ("normalCDF", { normalCDF($0) }),
        ] {
            let d1 = gradient(of: f(x).sum(), wrt: x, createGraph: true)
            let d2 = gradient(of: d1.sum(), wrt: x)
            #expect(d1.scalars.allSatisfy { $0.isFinite }, "\(name)' = \(d1.scalars)")
            #expect(d2.scalars.allSatisfy { $0.isFinite }, "\(name)'' = \(d2.scalars)")
        }
        let ds = gradient(of: silu(x).sum(), wrt: x).scalars
        #expect(isApproximatelyEqual(ds[0], 0, absoluteTolerance: 1e-30) && ds[3] == 1)
    }

    @Test func subgradientsAtKinksAreTheDocumentedOnes() {
        // max: every maximal element; maximum/minimum: lhs on ties; abs: 0 at 0; clamp: 1 on the bounds.
        let x = Tensor([1, 3, 3, -2]).tracked()
        #expect(gradient(of: x.max(), wrt: x).scalars == [0, 1, 1, 0])
        let y = Tensor([1, 0, 3, 5]).tracked()
        let g = gradients(of: Tensor.maximum(x, y).sum(), wrt: [x, y])
        #expect(g[0].scalars == [1, 1, 1, 0])
        #expect(g[1].scalars == [0, 0, 0, 1])
        let h = gradients(of: Tensor.minimum(x, y).sum(), wrt: [x, y])
        #expect(h[0].scalars == [1, 0, 1, 1])
        #expect(h[1].scalars == [0, 1, 0, 0])
        let z = Tensor([-1, 0, 1, 2]).tracked()
        #expect(gradient(of: abs(z).sum(), wrt: z).scalars == [-1, 0, 1, 1])
        #expect(gradient(of: clamp(z, min: -1, max: 1).sum(), wrt: z).scalars == [1, 1, 1, 0])
    }

    @Test func longChainIsFreedWithoutOverflowingTheStack() {
        // 10⁵ recorded operations: releasing them recursively overflowed the stack (now a loop).
        let x = Tensor(Float(0)).tracked()
        var y = x
        for _ in 0..<100_000 { y = y + 1 }
        #expect(y.scalar == 100_000)
        #expect(gradient(of: y, wrt: x).scalar == 1)
    }

    @Test func gradientOfUntrackedOutputTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = gradient(of: Tensor([1, 2]).sum(), wrt: Tensor([1, 2]).tracked())
        }
    }

    @Test func seedOfWrongShapeTraps() async {
        await #expect(processExitsWith: .failure) {
            let x = Tensor([1, 2]).tracked()
            _ = gradients(of: x * 2, wrt: [x], seed: Tensor([1, 2, 3]))
        }
    }
}
