/// Winograd's F(2 × 2, 3 × 3) on small planes (rows of fewer than `winogradWidth` pixels: the
/// U-Net levels of 8 × 8, 4 × 4, 2 × 2 and 1 × 1), channels last.
///
/// A row of such a plane holds 4 tiles or fewer, too few for the transforms along a row
/// (WinogradConvolutionKernels.swift) to run in vectors. Here each sample is first copied
/// channels last ([pixel][channel], with a border of zero pixels), so a tile's 16 input values
/// for 8 channels are 16 vectors and its transform 32 vector additions; the transforms write
/// V_ξ as [tiles][C_in], the products are M_ξ [tiles × C_out] = V_ξ · U_ξ [C_in × C_out], and the
/// output transform writes each sample channels last again before it is copied back. The
/// channel counts are rounded up to whole vectors with zero channels.
extension ConvolutionKernels {
    private typealias Vector = SIMD8<Float>

    /// C rounded up to whole 8-float vectors.
    private static func vectorChannels(_ count: Int) -> Int { (count + 7) / 8 * 8 }

    /// y = conv(x, w) + b, channels last (see above); `convolvesByWinograd(g)` must hold.
    static func forwardWinogradChannels(
        _ g: ConvolutionGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>
    ) {
        let (inputs, outputs) = (vectorChannels(g.inputChannels), vectorChannels(g.outputChannels))
        let weightStride = winogradStride(inputs * outputs)
        let transformed = UnsafeMutablePointer<Float>.allocate(capacity: 16 * weightStride)
        defer { transformed.deallocate() }
        transformed.initialize(repeating: 0, count: 16 * weightStride)
        transformWeights(
            weight, outputs: g.outputChannels, inputs: g.inputChannels, into: transformed, stride: weightStride,
            outputStep: 1, inputStep: outputs)
        let pieces = winogradPieces(g)
        Compute.forEachShard(pieces.count) { piece in
            let scratch = ChannelScratch(g, inputs: inputs, outputs: outputs)
            defer { scratch.deallocate() }
            forEachWinogradPass(g, samples: pieces[piece], inputs: inputs, outputs: outputs) { pass in
                transformInputChannels(
                    g, x, pass.samples, inputs: inputs, scratch: scratch, into: pass.input.base,
                    stride: pass.input.stride)
                for xi in 0..<16 {
                    TileProductKernels.multiply(
                        m: pass.tiles, n: outputs, k: inputs, pass.input[xi], rowStep: inputs, kStep: 1,
                        transformed + xi * weightStride, ldb: outputs, pass.output[xi], ldc: outputs, accumulate: false)
                }
                transformOutputChannels(
                    g, pass.output.base, stride: pass.output.stride, outputs: outputs, bias: bias, pass.samples,
                    scratch: scratch, into: out)
            }
        }
    }

    /// gw = Σ_samples gy ⋆ x, channels last; writes every element of `out`.
    static func weightGradientWinogradChannels(
        _ g: ConvolutionGeometry, x: UnsafePointer<Float>, outputGradient gy: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>
    ) {
        let (inputs, outputs) = (vectorChannels(g.inputChannels), vectorChannels(g.outputChannels))
        let weightStride = winogradStride(inputs * outputs)
        // dU [16][C_in][C_out].
        let du = UnsafeMutablePointer<Float>.allocate(capacity: 16 * weightStride)
        defer { du.deallocate() }
        sumOverWinogradPieces(g, size: 16 * weightStride, into: du) { samples, partial in
            let scratch = ChannelScratch(g, inputs: inputs, outputs: outputs)
            defer { scratch.deallocate() }
            forEachWinogradPass(g, samples: samples, inputs: inputs, outputs: outputs) { pass in
                transformInputChannels(
                    g, x, pass.samples, inputs: inputs, scratch: scratch, into: pass.input.base,
                    stride: pass.input.stride)
                transformOutputGradientChannels(
                    g, gy, pass.samples, outputs: outputs, scratch: scratch, into: pass.output.base,
                    stride: pass.output.stride)
                for xi in 0..<16 {
                    TileProductKernels.multiply(
                        m: inputs, n: outputs, k: pass.tiles, pass.input[xi], rowStep: 1, kStep: inputs,
                        pass.output[xi], ldb: outputs, partial + xi * weightStride, ldc: outputs,
                        accumulate: !pass.isFirst)
                }
            }
        }
        transformWeightGradient(
            du, outputs: g.outputChannels, inputs: g.inputChannels, stride: weightStride, into: out,
            outputStep: 1, inputStep: outputs)
    }

    /// One sample's planes [C][H][W] copied channels last: pixel (r, q) of channel c goes to
    /// target[(firstPixel + r·rowPixels + q)·step + c]. Wrapping index arithmetic keeps overflow
    /// checks out of this scalar loop (they were half its time).
    @inline(__always)
    private static func copyChannelsLast(
        _ source: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
        into target: UnsafeMutablePointer<Float>,
        firstPixel: Int, rowPixels: Int, step: Int
    ) {
        for c in 0..<channels {
            for r in 0..<height {
                var (i, j) = ((c * height + r) * width, (firstPixel + r * rowPixels) * step + c)
                for _ in 0..<width {
                    target[j] = source[i]
                    i &+= 1
                    j &+= step
                }
            }
        }
    }

    /// target[q·targetStep] = source[q·sourceStep] + b for q < count (a channels-last row back to
    /// a plane), in wrapping index arithmetic like `copyChannelsLast`.
    @inline(__always)
    private static func copy(
        _ count: Int, from source: UnsafePointer<Float>, step sourceStep: Int, to target: UnsafeMutablePointer<Float>,
        step targetStep: Int, adding b: Float
    ) {
        var (i, j) = (0, 0)
        for _ in 0..<count {
            target[j] = source[i] + b
            i &+= sourceStep
            j &+= targetStep
        }
    }

    /// One sample channels last: the input with a border of zero pixels ([(2·rows + 2)·(2·columns
    /// + 2)][C_in]) and the output ([H·W][C_out]).
    private struct ChannelScratch {
        let padded: UnsafeMutablePointer<Float>
        let output: UnsafeMutablePointer<Float>
        /// Pixels of a padded row.
        let paddedWidth: Int

        init(_ g: ConvolutionGeometry, inputs: Int, outputs: Int) {
            let tiles = WinogradTiles(g)
            paddedWidth = 2 * tiles.columns + 2
            let paddedCount = (2 * tiles.rows + 2) * paddedWidth * inputs
            padded = .allocate(capacity: paddedCount)
            padded.initialize(repeating: 0, count: paddedCount)
            // Rows and columns past an odd side, and the padding channels, stay zero.
            let outputCount = 2 * tiles.rows * 2 * tiles.columns * outputs
            output = .allocate(capacity: outputCount)
            output.initialize(repeating: 0, count: outputCount)
        }

        func deallocate() {
            padded.deallocate()
            output.deallocate()
        }
    }

    /// V_ξ[t, c] = (Bᵀ·d·B)_ξ for the tiles t of `samples`, as 16 matrices [tiles][C_in] `stride`
    /// floats apart (C_in rounded up to `inputs`).
    private static func transformInputChannels(
        _ g: ConvolutionGeometry, _ x: UnsafePointer<Float>, _ samples: Range<Int>, inputs: Int,
        scratch: ChannelScratch, into v: UnsafeMutablePointer<Float>, stride rowStride: Int
    ) {
        let tiles = WinogradTiles(g)
        let (height, width, channels, plane) = (g.height, g.width, g.inputChannels, g.height * g.width)
        let (padded, paddedWidth) = (scratch.padded, scratch.paddedWidth)
        let vectors = inputs / 8
        let pixelStep = inputs * MemoryLayout<Float>.stride
        for (index, n) in samples.enumerated() {
            // Channels last, pixel (r, q) at padded pixel (r + 1, q + 1).
            copyChannelsLast(
                x + n * channels * plane, channels: channels, height: height, width: width, into: padded,
                firstPixel: paddedWidth + 1, rowPixels: paddedWidth, step: inputs)
            for ty in 0..<tiles.rows {
                for tx in 0..<tiles.columns {
                    let t = index * tiles.perPlane + ty * tiles.columns + tx
                    let corner = UnsafeRawPointer(padded + (2 * ty * paddedWidth + 2 * tx) * inputs)
                    let rowStep = paddedWidth * pixelStep
                    for k in 0..<vectors {
                        let base = corner + k * 32
                        // Bᵀ·d, column by column j: d₀ⱼ − d₂ⱼ, d₁ⱼ + d₂ⱼ, d₂ⱼ − d₁ⱼ, d₁ⱼ − d₃ⱼ.
                        var rows = (
                            (Vector(), Vector(), Vector(), Vector()), (Vector(), Vector(), Vector(), Vector()),
                            (Vector(), Vector(), Vector(), Vector()), (Vector(), Vector(), Vector(), Vector())
                        )
                        for j in 0..<4 {
                            let column = base + j * pixelStep
                            let d0 = column.loadUnaligned(as: Vector.self)
                            let d1 = column.loadUnaligned(fromByteOffset: rowStep, as: Vector.self)
                            let d2 = column.loadUnaligned(fromByteOffset: 2 * rowStep, as: Vector.self)
                            let d3 = column.loadUnaligned(fromByteOffset: 3 * rowStep, as: Vector.self)
                            let (e0, e1, e2, e3) = (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
                            switch j {
                            case 0: (rows.0.0, rows.1.0, rows.2.0, rows.3.0) = (e0, e1, e2, e3)
                            case 1: (rows.0.1, rows.1.1, rows.2.1, rows.3.1) = (e0, e1, e2, e3)
                            case 2: (rows.0.2, rows.1.2, rows.2.2, rows.3.2) = (e0, e1, e2, e3)
                            default: (rows.0.3, rows.1.3, rows.2.3, rows.3.3) = (e0, e1, e2, e3)
                            }
                        }
                        // ·B on each row i: a − e, b + e, e − b, b − d.
                        let target = UnsafeMutableRawPointer(v + t * inputs) + k * 32
                        for i in 0..<4 {
                            let (a, b, e, d) =
                                i == 0 ? rows.0 : i == 1 ? rows.1 : i == 2 ? rows.2 : rows.3
                            let row = target + 4 * i * rowStride * MemoryLayout<Float>.stride
                            let step = rowStride * MemoryLayout<Float>.stride
                            row.storeBytes(of: a - e, as: Vector.self)
                            row.storeBytes(of: b + e, toByteOffset: step, as: Vector.self)
                            row.storeBytes(of: e - b, toByteOffset: 2 * step, as: Vector.self)
                            row.storeBytes(of: b - d, toByteOffset: 3 * step, as: Vector.self)
                        }
                    }
                }
            }
        }
    }

    /// y = Aᵀ·M·A + b for the tiles of `samples`, M as 16 matrices [tiles][C_out] `stride` floats
    /// apart (C_out rounded up to `outputs`).
    private static func transformOutputChannels(
        _ g: ConvolutionGeometry, _ m: UnsafePointer<Float>, stride rowStride: Int, outputs: Int,
        bias: UnsafePointer<Float>?, _ samples: Range<Int>, scratch: ChannelScratch,
        into out: UnsafeMutablePointer<Float>
    ) {
        let tiles = WinogradTiles(g)
        let (height, width, channels, plane) = (g.height, g.width, g.outputChannels, g.height * g.width)
        let outputWidth = 2 * tiles.columns
        let vectors = outputs / 8
        let step = rowStride * MemoryLayout<Float>.stride
        let pixelStep = outputs * MemoryLayout<Float>.stride
        let result = scratch.output
        for (index, n) in samples.enumerated() {
            for ty in 0..<tiles.rows {
                for tx in 0..<tiles.columns {
                    let t = index * tiles.perPlane + ty * tiles.columns + tx
                    let corner = UnsafeMutableRawPointer(result + (2 * ty * outputWidth + 2 * tx) * outputs)
                    for k in 0..<vectors {
                        let base = UnsafeRawPointer(m + t * outputs) + k * 32
                        // Aᵀ·M, column by column j: m₀ⱼ + m₁ⱼ + m₂ⱼ and m₁ⱼ − m₂ⱼ − m₃ⱼ.
                        var z0 = (Vector(), Vector(), Vector(), Vector())
                        var z1 = (Vector(), Vector(), Vector(), Vector())
                        for j in 0..<4 {
                            let m0 = base.loadUnaligned(fromByteOffset: j * step, as: Vector.self)
                            let m1 = base.loadUnaligned(fromByteOffset: (4 + j) * step, as: Vector.self)
                            let m2 = base.loadUnaligned(fromByteOffset: (8 + j) * step, as: Vector.self)
                            let m3 = base.loadUnaligned(fromByteOffset: (12 + j) * step, as: Vector.self)
                            let (a, b) = (m0 + m1 + m2, m1 - m2 - m3)
                            switch j {
                            case 0: (z0.0, z1.0) = (a, b)
                            case 1: (z0.1, z1.1) = (a, b)
                            case 2: (z0.2, z1.2) = (a, b)
                            default: (z0.3, z1.3) = (a, b)
                            }
                        }
                        // ·A: z₀ + z₁ + z₂ and z₁ − z₂ − z₃ for each row.
                        let target = corner + k * 32
                        let rowStep = outputWidth * pixelStep
                        target.storeBytes(of: z0.0 + z0.1 + z0.2, as: Vector.self)
                        target.storeBytes(of: z0.1 - z0.2 - z0.3, toByteOffset: pixelStep, as: Vector.self)
                        target.storeBytes(of: z1.0 + z1.1 + z1.2, toByteOffset: rowStep, as: Vector.self)
                        target.storeBytes(of: z1.1 - z1.2 - z1.3, toByteOffset: rowStep + pixelStep, as: Vector.self)
                    }
                }
            }
            // Back to [C_out][H][W], plus the bias; pixels past an odd side are dropped.
            for o in 0..<channels {
                let b = bias?[o] ?? 0
                let target = out + (n * channels + o) * plane
                for r in 0..<height {
                    copy(
                        width, from: result + r * outputWidth * outputs + o, step: outputs, to: target + r * width,
                        step: 1, adding: b)
                }
            }
        }
    }

    /// dM_ξ[t, o] = (A·dY·Aᵀ)_ξ for the tiles of `samples` (dY zero past an odd side), as 16
    /// matrices [tiles][C_out] `stride` floats apart (C_out rounded up to `outputs`).
    private static func transformOutputGradientChannels(
        _ g: ConvolutionGeometry, _ gy: UnsafePointer<Float>, _ samples: Range<Int>, outputs: Int,
        scratch: ChannelScratch, into dm: UnsafeMutablePointer<Float>, stride rowStride: Int
    ) {
        let tiles = WinogradTiles(g)
        let (height, width, channels, plane) = (g.height, g.width, g.outputChannels, g.height * g.width)
        let outputWidth = 2 * tiles.columns
        let vectors = outputs / 8
        let step = rowStride * MemoryLayout<Float>.stride
        let pixelStep = outputs * MemoryLayout<Float>.stride
        let gradient = scratch.output
        for (index, n) in samples.enumerated() {
            // Channels last; pixels past an odd side stay zero.
            copyChannelsLast(
                gy + n * channels * plane, channels: channels, height: height, width: width, into: gradient,
                firstPixel: 0, rowPixels: outputWidth, step: outputs)
            for ty in 0..<tiles.rows {
                for tx in 0..<tiles.columns {
                    let t = index * tiles.perPlane + ty * tiles.columns + tx
                    let corner = UnsafeRawPointer(gradient + (2 * ty * outputWidth + 2 * tx) * outputs)
                    let rowStep = outputWidth * pixelStep
                    for k in 0..<vectors {
                        let base = corner + k * 32
                        let d00 = base.loadUnaligned(as: Vector.self)
                        let d01 = base.loadUnaligned(fromByteOffset: pixelStep, as: Vector.self)
                        let d10 = base.loadUnaligned(fromByteOffset: rowStep, as: Vector.self)
                        let d11 = base.loadUnaligned(fromByteOffset: rowStep + pixelStep, as: Vector.self)
                        // A·dY rows (a, b): (d00, d01), (d00 + d10, d01 + d11), (d00 − d10, d01 − d11),
                        // (−d10, −d11); each row times Aᵀ: a, a + b, a − b, −b.
                        let target = UnsafeMutableRawPointer(dm + t * outputs) + k * 32
                        for i in 0..<4 {
                            let (a, b) =
                                i == 0
                                ? (d00, d01)
                                : i == 1 ? (d00 + d10, d01 + d11) : i == 2 ? (d00 - d10, d01 - d11) : (-d10, -d11)
                            target.storeBytes(of: a, toByteOffset: 4 * i * step, as: Vector.self)
                            target.storeBytes(of: a + b, toByteOffset: (4 * i + 1) * step, as: Vector.self)
                            target.storeBytes(of: a - b, toByteOffset: (4 * i + 2) * step, as: Vector.self)
                            target.storeBytes(of: -b, toByteOffset: (4 * i + 3) * step, as: Vector.self)
                        }
                    }
                }
            }
        }
    }
}
