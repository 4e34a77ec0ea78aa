import Foundation
import ScoreKitTesting
import Testing

@testable import ScoreKitCore

/// Winograd's F(2 × 2, 3 × 3) path on every kind of plane: rows of 16 pixels or more (transforms
/// along rows of tiles) and narrower (channels last), even and odd sides, a single pixel, channel
/// counts that are not whole vectors, more input than output channels and the reverse. Its forward and weight gradient are compared with the
/// definitions summed in Double; its transforms only add and halve, so the difference is rounding
/// alone: a few 1e-7 of the largest value.
@Suite("Winograd convolutions")
struct WinogradConvolutionTests {
    /// [N, C_in, H, W, C_out].
    static let shapes: [[Int]] = [
        [2, 3, 5, 5, 4], [2, 3, 3, 16, 5], [3, 5, 4, 4, 6], [4, 3, 1, 1, 2], [2, 4, 2, 2, 3], [1, 2, 7, 18, 3],
        [8, 16, 8, 8, 16],
    ]

    /// Uniform values in [−1, 1] from a fixed seed.
    private static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Double(state >> 40) / Double(1 << 24)) * 2 - 1
        }
    }

    /// The Winograd forward and weight gradient of `g`.
    private static func run(
        _ g: ConvolutionGeometry, x: [Float], weight: [Float], bias: [Float], outputGradient gy: [Float]
    ) -> (y: [Float], weightGradient: [Float]) {
        var y = [Float](repeating: .nan, count: g.batch * g.outputChannels * g.height * g.width)
        var gw = [Float](repeating: .nan, count: weight.count)
        x.withUnsafeBufferPointer { xp in
            weight.withUnsafeBufferPointer { wp in
                bias.withUnsafeBufferPointer { bp in
                    y.withUnsafeMutableBufferPointer { yp in
                        ConvolutionKernels.forwardWinograd(
                            g, x: xp.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress!, out: yp.baseAddress!)
                    }
                }
            }
            gy.withUnsafeBufferPointer { gp in
                gw.withUnsafeMutableBufferPointer { out in
                    ConvolutionKernels.weightGradientWinograd(
                        g, x: xp.baseAddress!, outputGradient: gp.baseAddress!, out: out.baseAddress!)
                }
            }
        }
        return (y, gw)
    }

    /// The forward cuts the batch into passes of the transforms and the weight gradient sums it in
    /// a fixed number of pieces; threads take either in turn, and neither changes a bit between
    /// one thread and two. [N, C_in, H, W, C_out, forward pieces].
    @Test(arguments: [[7, 4, 16, 16, 5, 1], [5, 96, 32, 32, 96, 3], [9, 8, 4, 4, 8, 1]])
    func resultsDoNotDependOnTheThreadCount(_ s: [Int]) {
        let (n, c, h, w, o) = (s[0], s[1], s[2], s[3], s[4])
        let g = ConvolutionGeometry(
            batch: n, inputChannels: c, height: h, width: w, outputChannels: o, kernelHeight: 3, kernelWidth: 3,
            stride: 1, padding: 1, groups: 1)
        let (x, weight, bias) = (
            Self.values(n * c * h * w, seed: 5), Self.values(o * c * 9, seed: 6), Self.values(o, seed: 7)
        )
        let gy = Self.values(n * o * h * w, seed: 8)
        func run(threads: Int) -> (y: [Float], weightGradient: [Float]) {
            withThreadCount(threads) { Self.run(g, x: x, weight: weight, bias: bias, outputGradient: gy) }
        }
        #expect(ConvolutionKernels.winogradPieces(g).count == s[5])
        let (one, two) = (run(threads: 1), run(threads: 2))
        #expect(one.y == two.y)
        #expect(one.weightGradient == two.weightGradient)
    }

    @Test(arguments: shapes)
    func forwardAndWeightGradientMatchTheDefinitions(_ s: [Int]) {
        let (n, c, h, w, o) = (s[0], s[1], s[2], s[3], s[4])
        let g = ConvolutionGeometry(
            batch: n, inputChannels: c, height: h, width: w, outputChannels: o, kernelHeight: 3, kernelWidth: 3,
            stride: 1, padding: 1, groups: 1)
        let x = Self.values(n * c * h * w, seed: 1)
        let weight = Self.values(o * c * 9, seed: 2)
        let bias = Self.values(o, seed: 3)
        let gy = Self.values(n * o * h * w, seed: 4)
        let (y, gw) = Self.run(g, x: x, weight: weight, bias: bias, outputGradient: gy)
        func input(_ i: Int, _ j: Int, _ row: Int, _ column: Int) -> Double {
            row < 0 || row >= h || column < 0 || column >= w ? 0 : Double(x[((i * c + j) * h + row) * w + column])
        }
        var (forwardError, forwardLargest) = (0.0, 0.0)
        for i in 0..<n {
            for p in 0..<o {
                for row in 0..<h {
                    for column in 0..<w {
                        var sum = Double(bias[p])
                        for j in 0..<c {
                            for a in 0..<3 {
                                for b in 0..<3 {
                                    sum +=
                                        Double(weight[((p * c + j) * 3 + a) * 3 + b])
                                        * input(i, j, row + a - 1, column + b - 1)
                                }
                            }
                        }
                        forwardError = max(forwardError, abs(sum - Double(y[((i * o + p) * h + row) * w + column])))
                        forwardLargest = max(forwardLargest, abs(sum))
                    }
                }
            }
        }
        var (gradientError, gradientLargest) = (0.0, 0.0)
        for p in 0..<o {
            for j in 0..<c {
                for a in 0..<3 {
                    for b in 0..<3 {
                        var sum = 0.0
                        for i in 0..<n {
                            for row in 0..<h {
                                for column in 0..<w {
                                    sum +=
                                        Double(gy[((i * o + p) * h + row) * w + column])
                                        * input(i, j, row + a - 1, column + b - 1)
                                }
                            }
                        }
                        gradientError = max(gradientError, abs(sum - Double(gw[((p * c + j) * 3 + a) * 3 + b])))
                        gradientLargest = max(gradientLargest, abs(sum))
                    }
                }
            }
        }
        #expect(forwardError <= 2e-6 * max(1, forwardLargest), "forward: \(forwardError) of \(forwardLargest)")
        #expect(
            gradientError <= 2e-6 * max(1, gradientLargest), "weight gradient: \(gradientError) of \(gradientLargest)")
    }

    /// The dispatch: every 3 × 3 convolution with padding 1, stride 1 and one group, at any size;
    /// not 1 × 1, strided or grouped ones; the forward only with enough channels a side.
    @Test func dispatch() {
        func geometry(width: Int, kernel: Int = 3, stride: Int = 1, groups: Int = 1) -> ConvolutionGeometry {
            ConvolutionGeometry(
                batch: 2, inputChannels: 4, height: 8, width: width, outputChannels: 4, kernelHeight: kernel,
                kernelWidth: kernel, stride: stride, padding: kernel / 2, groups: groups)
        }
        #expect(ConvolutionKernels.convolvesByWinograd(geometry(width: 16)))
        #expect(ConvolutionKernels.convolvesByWinograd(geometry(width: 33)))
        #expect(ConvolutionKernels.convolvesByWinograd(geometry(width: 1)))
        #expect(!ConvolutionKernels.convolvesByWinograd(geometry(width: 8, kernel: 1)))
        #expect(!ConvolutionKernels.convolvesByWinograd(geometry(width: 8, stride: 2)))
        #expect(!ConvolutionKernels.convolvesByWinograd(geometry(width: 8, groups: 2)))
        // The forward (and input gradient) only with more than 16 channels on both sides on
        // planes narrower than `winogradWidth`, more than 32 on wider ones.
        func channels(_ inputs: Int, _ outputs: Int, width: Int = 8) -> ConvolutionGeometry {
            ConvolutionGeometry(
                batch: 2, inputChannels: inputs, height: 8, width: width, outputChannels: outputs, kernelHeight: 3,
                kernelWidth: 3, stride: 1, padding: 1, groups: 1)
        }
        #expect(ConvolutionKernels.forwardsByWinograd(channels(17, 64)))
        #expect(!ConvolutionKernels.forwardsByWinograd(channels(16, 64)))
        #expect(!ConvolutionKernels.forwardsByWinograd(channels(64, 3)))
        #expect(ConvolutionKernels.forwardsByWinograd(channels(33, 64, width: 16)))
        #expect(!ConvolutionKernels.forwardsByWinograd(channels(32, 64, width: 16)))
        #expect(ConvolutionKernels.convolvesDirectly(channels(16, 64)))
    }
}
