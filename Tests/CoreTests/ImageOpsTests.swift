import ScoreKitCore
import ScoreKitTesting
import Testing

/// One convolution's settings, for the parameterized tests.
struct ConvolutionCase: Sendable, CustomTestStringConvertible {
    let input: [Int]
    let weight: [Int]
    let stride: Int
    let padding: Int
    let groups: Int

    var testDescription: String { "x \(input) w \(weight) S\(stride) P\(padding) G\(groups)" }

    static let all: [ConvolutionCase] = [
        ConvolutionCase(input: [2, 3, 5, 5], weight: [4, 3, 3, 3], stride: 1, padding: 1, groups: 1),
        ConvolutionCase(input: [2, 4, 7, 6], weight: [6, 2, 3, 3], stride: 2, padding: 1, groups: 2),
        ConvolutionCase(input: [1, 3, 4, 5], weight: [3, 1, 5, 5], stride: 1, padding: 2, groups: 3),
        ConvolutionCase(input: [3, 4, 3, 4], weight: [2, 4, 1, 1], stride: 1, padding: 0, groups: 1),
        ConvolutionCase(input: [2, 2, 6, 5], weight: [3, 2, 2, 3], stride: 3, padding: 0, groups: 1),
        // Same-size planes of 64 (whole SIMD blocks, with groups), of 4 (the kernel overhangs the
        // plane) and of 1 (a shift reaches two planes away, into the neighbours' data).
        ConvolutionCase(input: [2, 4, 8, 8], weight: [4, 2, 3, 3], stride: 1, padding: 1, groups: 2),
        ConvolutionCase(input: [4, 2, 2, 2], weight: [3, 2, 3, 3], stride: 1, padding: 1, groups: 1),
        ConvolutionCase(input: [3, 3, 1, 1], weight: [2, 3, 3, 3], stride: 1, padding: 1, groups: 1),
        // The direct forward: planes of 16 and 64, a partial block of output channels, the first
        // and last samples read from a padded copy and the middle one in place.
        ConvolutionCase(input: [3, 5, 4, 4], weight: [6, 5, 3, 3], stride: 1, padding: 1, groups: 1),
        ConvolutionCase(input: [2, 3, 8, 8], weight: [4, 3, 1, 1], stride: 1, padding: 0, groups: 1),
        // Rows of whole tiles (16 wide): the direct forward's zero-padded windows.
        ConvolutionCase(input: [2, 3, 3, 16], weight: [5, 3, 3, 3], stride: 1, padding: 1, groups: 1),
        ConvolutionCase(input: [2, 2, 1, 16], weight: [3, 2, 1, 1], stride: 1, padding: 0, groups: 1),
        // One sample, a plane of one 8-float vector: the direct weight gradient's padded copies.
        ConvolutionCase(input: [1, 3, 2, 4], weight: [2, 3, 3, 3], stride: 1, padding: 1, groups: 1),
        // A same-size 5 × 5 kernel: the direct forward's masks (3 × 3 ones run by Winograd).
        ConvolutionCase(input: [3, 3, 4, 4], weight: [4, 3, 5, 5], stride: 1, padding: 2, groups: 1),
        // Rows of 16 or more: Winograd's F(2 × 2, 3 × 3), with an odd height and width.
        ConvolutionCase(input: [2, 3, 3, 17], weight: [4, 3, 3, 3], stride: 1, padding: 1, groups: 1),
    ]
}

/// Convolution, resampling, softmax, attention, dropout and group normalisation: values against
/// definitions written as loops, and gradients against finite differences to second order (with
/// the tolerances of `GradientTests`).
@Suite("Image operations")
struct ImageOpsTests {
    static let seed: UInt64 = 0x1A6E_0005

    /// PyTorch's conv2d as loops in Double.
    static func referenceConvolution(
        _ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: Int, padding: Int, groups: Int
    ) -> [Double] {
        let (n, cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (cout, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let (ho, wo) = ((h + 2 * padding - kh) / stride + 1, (wd + 2 * padding - kw) / stride + 1)
        let (xs, ws, bs) = (x.scalars, w.scalars, b?.scalars)
        let (gin, gout) = (cin / groups, cout / groups)
        var out = [Double](repeating: 0, count: n * cout * ho * wo)
        for s in 0..<n {
            for o in 0..<cout {
                let group = o / gout
                for i in 0..<ho {
                    for j in 0..<wo {
                        var total = Double(bs?[o] ?? 0)
                        for c in 0..<gin {
                            for a in 0..<kh {
                                for e in 0..<kw {
                                    let (y, z) = (i * stride - padding + a, j * stride - padding + e)
                                    guard y >= 0, y < h, z >= 0, z < wd else { continue }
                                    let xv = xs[((s * cin + group * gin + c) * h + y) * wd + z]
                                    total += Double(ws[((o * gin + c) * kh + a) * kw + e]) * Double(xv)
                                }
                            }
                        }
                        out[((s * cout + o) * ho + i) * wo + j] = total
                    }
                }
            }
        }
        return out
    }

    static func maxError(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { Swift.max($0, Swift.abs(Double($1.0) - $1.1)) }
    }

    @Test(arguments: ConvolutionCase.all)
    func convolutionMatchesTheDefinition(_ c: ConvolutionCase) {
        var rng = SplitMix64(seed: Self.seed)
        let x = rng.uniform(c.input)
        let w = rng.uniform(c.weight)
        let b = rng.uniform([c.weight[0]])
        let y = Tensor.convolution(x, weight: w, bias: b, stride: c.stride, padding: c.padding, groups: c.groups)
        let expected = Self.referenceConvolution(x, w, b, stride: c.stride, padding: c.padding, groups: c.groups)
        #expect(y.scalarCount == expected.count)
        #expect(Self.maxError(y.scalars, expected) < 1e-5)
    }

    /// ⟨convᵀ(g, w), x⟩ = ⟨g, conv(x, w)⟩: the transposed convolution is the adjoint.
    @Test(arguments: ConvolutionCase.all)
    func transposedConvolutionIsTheAdjoint(_ c: ConvolutionCase) {
        var rng = SplitMix64(seed: Self.seed)
        let x = rng.uniform(c.input)
        let w = rng.uniform(c.weight)
        let y = Tensor.convolution(x, weight: w, stride: c.stride, padding: c.padding, groups: c.groups)
        let g = rng.uniform(y.shape)
        // The transposed convolution's weight is [C_in, C_out/G, …]: the same tensor read the other way.
        let (h, wd) = (c.input[2], c.input[3])
        let base = (y.shape[2] - 1) * c.stride - 2 * c.padding + c.weight[2]
        let outputPadding = h - base
        guard outputPadding >= 0, outputPadding < c.stride,
            wd - ((y.shape[3] - 1) * c.stride - 2 * c.padding + c.weight[3]) == outputPadding
        else { return }
        let z = Tensor.transposedConvolution(
            g, weight: w, stride: c.stride, padding: c.padding, outputPadding: outputPadding, groups: c.groups)
        #expect(z.shape == x.shape)
        let lhs = (z * x).sum().scalar
        let rhs = (g * y).sum().scalar
        #expect(isApproximatelyEqual(lhs, rhs, absoluteTolerance: 1e-4, relativeTolerance: 1e-5))
    }

    @Test func resamplingValues() {
        let x = Tensor([1, 2, 3, 4, 5, 6], shape: [1, 1, 2, 3])
        let up = x.upsampledNearest(factor: 2)
        #expect(up.shape == [1, 1, 4, 6])
        #expect(up.scalars == [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6])
        #expect(up.blockSum(factor: 2).scalars == x.scalars.map { 4 * $0 })
        #expect(up.averagePooled(size: 2) == x)
        // 3×3 windows, stride 2, padding 1 (padded zeros count): corner = (1 + 2 + 4 + 5)/9.
        let y = Tensor((1...16).map(Float.init), shape: [1, 1, 4, 4]).averagePooled(size: 3, stride: 2, padding: 1)
        #expect(y.shape == [1, 1, 2, 2])
        #expect(isApproximatelyEqual(y.scalars[0], (1 + 2 + 5 + 6) / 9, absoluteTolerance: 1e-6))
        #expect(
            isApproximatelyEqual(y.scalars[3], (6 + 7 + 8 + 10 + 11 + 12 + 14 + 15 + 16) / 9, absoluteTolerance: 1e-5))
    }

    @Test func softmaxValues() {
        let x = Tensor([0, 1, 2, 1000, 1000, -1000], shape: [2, 3])
        let y = softmax(x).scalars
        let e: [Float] = [1, 2.718_281_8, 7.389_056]
        let total = e.reduce(0, +)
        for i in 0..<3 { #expect(isApproximatelyEqual(y[i], e[i] / total, absoluteTolerance: 1e-6)) }
        // Weights below e^−87 come out near 1e-38 rather than 0 (FastMath.exp clamps its input).
        #expect(y[3] == 0.5 && y[4] == 0.5 && y[5] < 1e-37)
    }

    @Test func dropoutIsReproducibleAndUnbiased() {
        let x = Tensor.ones([64, 64])
        var a = RandomStream(seed: 9, stream: 3)
        var b = RandomStream(seed: 9, stream: 3)
        let ya = dropout(x, rate: 0.25, stream: &a)
        let yb = dropout(x, rate: 0.25, stream: &b)
        #expect(ya == yb)
        let kept = ya.scalars.filter { $0 != 0 }
        #expect(kept.allSatisfy { isApproximatelyEqual($0, 1 / 0.75, absoluteTolerance: 1e-6) })
        let share = Double(kept.count) / Double(x.scalarCount)
        #expect(Swift.abs(share - 0.75) < 0.03)
        var noise = PerSampleNoise(seed: 4)
        var shard = PerSampleNoise(seed: 4, firstSample: 2)
        let whole = dropout(Tensor.ones([4, 8]), rate: 0.5, noise: &noise)
        let part = dropout(Tensor.ones([2, 8]), rate: 0.5, noise: &shard)
        #expect(whole.slice(alongAxis: 0, 2..<4) == part)
    }

    // MARK: Gradients

    static let firstOrder: (absolute: Float, relative: Float) = (1e-3, 5e-3)
    static let secondOrder: (absolute: Float, relative: Float) = (2e-3, 1e-2)

    static let cases: [GradientCase] =
        ConvolutionCase.all.map { c in
            // A convolution is affine in each of its inputs, so central differences are exact
            // at any step; 1e-2 keeps the Float rounding of the evaluations (Winograd's transforms
            // round a few times more than a direct sum) well below the tolerances.
            GradientCase(
                "convolution \(c.testDescription)", [c.input, c.weight, [c.weight[0]]],
                [.uniform(-1, 1), .uniform(-1, 1), .uniform(-1, 1)], step: 1e-2
            ) {
                Tensor.convolution(
                    $0[0], weight: $0[1], bias: $0[2], stride: c.stride, padding: c.padding, groups: c.groups)
            }
        } + [
            GradientCase(
                "transposedConvolution S2 P1 op1", [[2, 4, 4, 3], [4, 3, 3, 3], [3]],
                [.uniform(-1, 1), .uniform(-1, 1), .uniform(-1, 1)]
            ) {
                Tensor.transposedConvolution($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, outputPadding: 1)
            },
            GradientCase(
                "transposedConvolution G2", [[1, 4, 3, 3], [4, 1, 2, 2]], [.uniform(-1, 1), .uniform(-1, 1)]
            ) { Tensor.transposedConvolution($0[0], weight: $0[1], stride: 2, groups: 2) },
            .unary("upsampledNearest 2", [2, 2, 3, 2], .uniform(-1, 1)) { $0.upsampledNearest(factor: 2) },
            .unary("blockSum 2", [2, 2, 4, 6], .uniform(-1, 1)) { $0.blockSum(factor: 2) },
            .unary("averagePooled 2", [2, 2, 4, 6], .uniform(-1, 1)) { $0.averagePooled(size: 2) },
            .unary("averagePooled 3 S2 P1", [2, 2, 7, 6], .uniform(-1, 1)) {
                $0.averagePooled(size: 3, stride: 2, padding: 1)
            },
            .unary("softmax", [3, 2, 5], .uniform(-2, 2)) { softmax($0) },
            GradientCase("batchedMatmul", [[2, 3, 4], [2, 4, 5]], [.uniform(-1, 1), .uniform(-1, 1)]) {
                Tensor.batchedMatmul($0[0], $0[1])
            },
            GradientCase("batchedMatmul ᵀᵀ", [[2, 4, 3], [2, 5, 4]], [.uniform(-1, 1), .uniform(-1, 1)]) {
                Tensor.batchedMatmul($0[0], $0[1], transposeA: true, transposeB: true)
            },
            GradientCase(
                "attention", [[2, 3, 5], [2, 3, 4], [2, 2, 4]], [.uniform(-1, 1), .uniform(-1, 1), .uniform(-1, 1)]
            ) { Tensor.attention(query: $0[0], key: $0[1], value: $0[2]) },
            GradientCase(
                "groupNormalization [2, 6, 2, 3] G3", [[2, 6, 2, 3], [6], [6]],
                [.uniform(-1, 1), .uniform(0.5, 1.5), .uniform(-1, 1)]
            ) { Tensor.groupNormalization($0[0], groupCount: 3, weight: $0[1], bias: $0[2]) },
            GradientCase(
                "dropout", [[3, 8]], [.uniform(-1, 1)]
            ) { x in
                var stream = RandomStream(seed: 1, stream: 0)
                return dropout(square(x[0]), rate: 0.3, stream: &stream)
            },
        ]

    @Test(arguments: cases)
    func gradientsMatchFiniteDifferences(_ c: GradientCase) {
        let result = checkGradients(
            of: c.f, at: c.inputs(seed: Self.seed), step: c.step, absoluteTolerance: Self.firstOrder.absolute,
            relativeTolerance: Self.firstOrder.relative)
        #expect(result.passed, "\(c.name): \(result)")
    }

    @Test(arguments: cases)
    func secondOrderGradientsMatchFiniteDifferences(_ c: GradientCase) {
        let result = checkSecondOrder(
            of: c.f, at: c.inputs(seed: Self.seed), step: c.step, absoluteTolerance: Self.secondOrder.absolute,
            relativeTolerance: Self.secondOrder.relative)
        #expect(result.passed, "\(c.name): \(result)")
    }

    /// A convolution after a nonlinearity, so the second derivative has every cross term.
    @Test func secondOrderThroughAConvolutionStack() {
        let c = GradientCase(
            "conv(silu(conv))", [[2, 2, 5, 4], [3, 2, 3, 3], [2, 3, 3, 3]],
            [.uniform(-1, 1), .uniform(-1, 1), .uniform(-1, 1)]
        ) {
            let h = silu(Tensor.convolution($0[0], weight: $0[1], padding: 1))
            return Tensor.convolution(h, weight: $0[2], stride: 2, padding: 1)
        }
        let result = checkSecondOrder(
            of: c.f, at: c.inputs(seed: Self.seed), absoluteTolerance: Self.secondOrder.absolute,
            relativeTolerance: Self.secondOrder.relative)
        #expect(result.passed, "\(c.name): \(result)")
    }
}
