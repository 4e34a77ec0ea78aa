/// The forward convolution without an unfolded copy, for same-size convolutions (stride 1, one
/// group: the 1 × 1 convolutions of image U-Nets; their 3 × 3 ones run by Winograd,
/// WinogradConvolutionKernels.swift) on planes of whole 16-float blocks (4 × 4, 8 × 8, 16 × 16,
/// 32 × 32) or planes that divide one.
///
/// Kernel offset k reads the plane shifted by `shift_k` under its output mask (`PlaneShifts`), so
/// a tile of 4 output channels × 16 positions of one sample accumulates, over offsets k and
/// input channels c, w[o, c, k] times 16 masked floats read straight from the image: with the
/// offset's mask held in registers, 8 fused multiply-adds per 2 loads of the image and 4
/// broadcast weights, all from L1.
/// The unfolded path (im2col, then OpenBLAS, which copies the unfolded rows again into its
/// panels) wrote and read 9 floats per input float twice; this path reads the input in place.
/// Each output is summed from the bias, over k, then c within k.
extension ConvolutionKernels {
    /// Output channels of a tile: 4 × 2 accumulators, 2 mask, 2 image and 1 weight register of
    /// AVX2's 16. (6 rows would hide more of the multiply-add's latency, but their 12
    /// accumulators pushed one out of the registers, and its store and reload each iteration
    /// made the tile slower.)
    static let directRows = 4
    /// Positions of a tile: two 8-float vectors.
    static let directWidth = 16

    /// Positions of a group of small planes (`directSmallPlanes`).
    static let directGroupWidth = 64

    /// Whether `forward` convolves `g` directly: planes of whole tiles, or planes that divide a
    /// tile (1, 2, 4 and 8 floats: 1 × 1, 2 × 2, 2 × 4 images), which run in groups of samples.
    static func convolvesDirectly(_ g: ConvolutionGeometry) -> Bool {
        let plane = g.outputPlane
        return g.isSameSize && g.groups == 1 && g.batch > 0
            && (plane % directWidth == 0 || directWidth % plane == 0)
    }

    /// y = conv(x, w) + b by direct tiles (`convolvesDirectly(g)` must hold). Outside a shard
    /// region with several threads, the samples are split across them (no BLAS runs here).
    static func forwardDirect(
        _ g: ConvolutionGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>
    ) {
        let shifts = PlaneShifts(g)
        let (channels, offsets) = (g.inputChannels, shifts.offsets.count)
        let blocks = (g.outputChannels + directRows - 1) / directRows
        // Weights as [block][k][c][4 rows], rows past C_out zero: a tile's four broadcasts are
        // adjacent and its weights are read in order.
        let packedCount = blocks * channels * offsets * directRows
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: packedCount)
        packed.initialize(repeating: 0, count: packedCount)
        let biases = UnsafeMutablePointer<Float>.allocate(capacity: blocks * directRows)
        biases.initialize(repeating: 0, count: blocks * directRows)
        defer {
            packed.deallocate()
            biases.deallocate()
        }
        for o in 0..<g.outputChannels {
            let (block, row) = o.quotientAndRemainder(dividingBy: directRows)
            for c in 0..<channels {
                for k in 0..<offsets {
                    packed[((block * offsets + k) * channels + c) * directRows + row] =
                        weight[(o * channels + c) * offsets + k]
                }
            }
            biases[o] = bias?[o] ?? 0
        }
        let shiftValues = shifts.offsets.map(\.shift)
        let threads = Compute.insideShard ? 1 : Swift.min(Compute.threadCount, g.batch)
        let pieces = Compute.shardRanges(count: g.batch, rows: (g.batch + threads - 1) / threads)
        let pointers = UncheckedSendable((x, UnsafePointer(packed), UnsafePointer(biases), out))
        shifts.withMasks { masks, _ in
            shiftValues.withUnsafeBufferPointer { shiftBuffer in
                let tables = UncheckedSendable((masks, shiftBuffer.baseAddress!))
                Compute.forEachShard(pieces.count) { piece in
                    let (x, packed, biases, out) = pointers.value
                    let (masks, shiftTable) = tables.value
                    directSamples(
                        g, pieces[piece], x: x, packed: packed, biases: biases, shifts: shiftTable,
                        offsets: offsets, margin: shifts.margin, masks: masks, out: out)
                }
            }
        }
    }

    /// gx = convᵀ(gy, w) for a geometry that `convolvesDirectly`: the same-size convolution's
    /// transpose is the same-size convolution of gy with the kernel turned by 180° and its
    /// channel axes swapped (w̃[c, o, k_h − 1 − a, k_w − 1 − e] = w[o, c, a, e]; the padding
    /// (k − 1)/2 stays), so it runs as a direct forward: no product into unfolded columns and no
    /// fold.
    static func inputGradientDirect(
        _ g: ConvolutionGeometry, outputGradient gy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>
    ) {
        let (kh, kw) = (g.kernelHeight, g.kernelWidth)
        let area = kh * kw
        let turned = UnsafeMutablePointer<Float>.allocate(capacity: g.inputChannels * g.outputChannels * area)
        defer { turned.deallocate() }
        for o in 0..<g.outputChannels {
            for c in 0..<g.inputChannels {
                for k in 0..<area {
                    turned[(c * g.outputChannels + o) * area + area - 1 - k] =
                        weight[(o * g.inputChannels + c) * area + k]
                }
            }
        }
        let transpose = ConvolutionGeometry(
            batch: g.batch, inputChannels: g.outputChannels, height: g.height, width: g.width,
            outputChannels: g.inputChannels, kernelHeight: kh, kernelWidth: kw, stride: 1, padding: g.padding,
            groups: 1)
        forward(transpose, x: gy, weight: turned, bias: nil, out: out)
    }

    /// The tiles of `samples`. The first and last samples of x are read from a copy with `margin`
    /// zeros on either side, since their shifted reads would leave x (the others' reach into their
    /// neighbours and are masked).
    private static func directSamples(
        _ g: ConvolutionGeometry, _ samples: Range<Int>, x: UnsafePointer<Float>, packed: UnsafePointer<Float>,
        biases: UnsafePointer<Float>, shifts: UnsafePointer<Int>, offsets: Int, margin: Int,
        masks: UnsafePointer<UInt32>, out: UnsafeMutablePointer<Float>
    ) {
        let (channels, plane) = (g.inputChannels, g.outputPlane)
        if g.width % directWidth == 0 {
            directWideRows(g, samples, x: x, packed: packed, biases: biases, out: out)
            return
        }
        guard plane % directWidth == 0 else {
            directSmallPlanes(
                g, samples, x: x, packed: packed, biases: biases, shifts: shifts, offsets: offsets, margin: margin,
                masks: masks, out: out)
            return
        }
        let sampleFloats = channels * plane
        let blocks = (g.outputChannels + directRows - 1) / directRows
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: sampleFloats + 2 * margin)
        defer { padded.deallocate() }
        padded.initialize(repeating: 0, count: sampleFloats + 2 * margin)
        for n in samples {
            var image = x + n * sampleFloats
            if n == 0 || n == g.batch - 1 {
                (padded + margin).update(from: image, count: sampleFloats)
                image = UnsafePointer(padded + margin)
            }
            let output = out + n * g.outputChannels * plane
            for block in 0..<blocks {
                let first = block * directRows
                let rows = Swift.min(directRows, g.outputChannels - first)
                let weights = packed + block * channels * offsets * directRows
                for position in stride(from: 0, to: plane, by: directWidth) {
                    directTile(
                        image + position, channels: channels, stride: plane, shifts: shifts, offsets: offsets,
                        masks: masks + position, weights: weights, biases: biases + first,
                        out: output + first * plane + position, outputStride: plane, rows: rows)
                }
            }
        }
    }

    /// out[r·outputStride + 0..<16] = b[r] + Σ_{k, c} w[k, c, r]·(image[c·stride + shift_k + 0..<16]
    /// masked by masks[k·stride + 0..<16], when there are masks) for r < rows ≤ 4.
    @inline(__always)
    private static func directTile(
        _ image: UnsafePointer<Float>, channels: Int, stride: Int, shifts: UnsafePointer<Int>, offsets: Int,
        masks: UnsafePointer<UInt32>?, weights: UnsafePointer<Float>, biases: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, outputStride: Int, rows: Int
    ) {
        typealias V = SIMD8<Float>
        typealias Bits = SIMD8<UInt32>
        var a0 = (V(repeating: biases[0]), V(repeating: biases[0]))
        var a1 = (V(repeating: biases[1]), V(repeating: biases[1]))
        var a2 = (V(repeating: biases[2]), V(repeating: biases[2]))
        var a3 = (V(repeating: biases[3]), V(repeating: biases[3]))
        var w = weights
        let step = stride * MemoryLayout<Float>.stride
        for k in 0..<offsets {
            var source = UnsafeRawPointer(image + shifts[k])
            let end = source + channels * step
            if let masks {
                // The offset's mask stays in registers while the channels stream past it.
                let mask = UnsafeRawPointer(masks + k * stride)
                let (m0, m1) = (
                    mask.loadUnaligned(as: Bits.self), mask.loadUnaligned(fromByteOffset: 32, as: Bits.self)
                )
                while source < end {
                    let x0 = unsafeBitCast(source.loadUnaligned(as: Bits.self) & m0, to: V.self)
                    let x1 = unsafeBitCast(source.loadUnaligned(fromByteOffset: 32, as: Bits.self) & m1, to: V.self)
                    source += step
                    accumulate(&a0, V(repeating: w[0]), x0, x1)
                    accumulate(&a1, V(repeating: w[1]), x0, x1)
                    accumulate(&a2, V(repeating: w[2]), x0, x1)
                    accumulate(&a3, V(repeating: w[3]), x0, x1)
                    w += directRows
                }
            } else {
                while source < end {
                    let x0 = source.loadUnaligned(as: V.self)
                    let x1 = source.loadUnaligned(fromByteOffset: 32, as: V.self)
                    source += step
                    accumulate(&a0, V(repeating: w[0]), x0, x1)
                    accumulate(&a1, V(repeating: w[1]), x0, x1)
                    accumulate(&a2, V(repeating: w[2]), x0, x1)
                    accumulate(&a3, V(repeating: w[3]), x0, x1)
                    w += directRows
                }
            }
        }
        let plane = outputStride
        store(a0, out)
        if rows > 1 { store(a1, out + plane) }
        if rows > 2 { store(a2, out + 2 * plane) }
        if rows > 3 { store(a3, out + 3 * plane) }
    }

    /// The tiles of `samples` when a plane is smaller than a tile: groups of 64 / plane samples are
    /// copied channel-major ([C_in, samples·plane], with `margin` zeros around), so a tile spans
    /// several samples and the masks repeat with the plane; reads across a sample's edge are
    /// masked like those across a row's. The outputs go through a [C_out, samples·plane] buffer.
    private static func directSmallPlanes(
        _ g: ConvolutionGeometry, _ samples: Range<Int>, x: UnsafePointer<Float>, packed: UnsafePointer<Float>,
        biases: UnsafePointer<Float>, shifts: UnsafePointer<Int>, offsets: Int, margin: Int,
        masks: UnsafePointer<UInt32>, out: UnsafeMutablePointer<Float>
    ) {
        let (channels, plane) = (g.inputChannels, g.outputPlane)
        let perGroup = directGroupWidth / plane
        let positions = perGroup * plane
        let blocks = (g.outputChannels + directRows - 1) / directRows
        let input = UnsafeMutablePointer<Float>.allocate(capacity: channels * positions + 2 * margin)
        let groupMasks = UnsafeMutablePointer<UInt32>.allocate(capacity: offsets * positions)
        let output = UnsafeMutablePointer<Float>.allocate(capacity: blocks * directRows * positions)
        defer {
            input.deallocate()
            groupMasks.deallocate()
            output.deallocate()
        }
        input.initialize(repeating: 0, count: channels * positions + 2 * margin)
        output.initialize(repeating: 0, count: blocks * directRows * positions)
        for k in 0..<offsets {
            for s in 0..<perGroup {
                (groupMasks + k * positions + s * plane).initialize(from: masks + k * plane, count: plane)
            }
        }
        let image = input + margin
        for first in Swift.stride(from: samples.lowerBound, to: samples.upperBound, by: perGroup) {
            let count = Swift.min(perGroup, samples.upperBound - first)
            for c in 0..<channels {
                for s in 0..<count {
                    (image + c * positions + s * plane).update(
                        from: x + ((first + s) * channels + c) * plane, count: plane)
                }
            }
            for block in 0..<blocks {
                let weights = packed + block * channels * offsets * directRows
                for position in Swift.stride(from: 0, to: positions, by: directWidth) {
                    directTile(
                        image + position, channels: channels, stride: positions, shifts: shifts, offsets: offsets,
                        masks: groupMasks + position, weights: weights, biases: biases + block * directRows,
                        out: output + block * directRows * positions + position, outputStride: positions,
                        rows: Swift.min(directRows, g.outputChannels - block * directRows))
                }
            }
            for s in 0..<count {
                for o in 0..<g.outputChannels {
                    (out + ((first + s) * g.outputChannels + o) * plane).update(
                        from: output + o * positions + s * plane, count: plane)
                }
            }
        }
    }

    /// The tiles of `samples` when image rows are whole tiles (16 × 16, 32 × 32 images): for each
    /// tile of 16 positions in a row, the k_h input rows it reads, 16 + 2P columns wide, are copied
    /// channel after channel into a window with zeros where they leave the image, so no mask is
    /// needed, and the window (C_in · k_h · (16 + 2P) floats: 27 KB for 128 channels) stays in L1
    /// for all output channels. In place, a large plane's channels lie a multiple of 4 KB apart
    /// and the shifted reads of every channel fall into the same few sets of L1.
    private static func directWideRows(
        _ g: ConvolutionGeometry, _ samples: Range<Int>, x: UnsafePointer<Float>, packed: UnsafePointer<Float>,
        biases: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
    ) {
        let (channels, height, width, padding) = (g.inputChannels, g.height, g.width, g.padding)
        let (kh, kw, plane) = (g.kernelHeight, g.kernelWidth, g.outputPlane)
        let offsets = kh * kw
        let windowWidth = directWidth + 2 * padding
        let channelStride = kh * windowWidth
        let blocks = (g.outputChannels + directRows - 1) / directRows
        let window = UnsafeMutablePointer<Float>.allocate(capacity: channels * channelStride)
        let sources = UnsafeMutablePointer<Int>.allocate(capacity: offsets)
        defer {
            window.deallocate()
            sources.deallocate()
        }
        window.initialize(repeating: 0, count: channels * channelStride)
        for ky in 0..<kh {
            for kx in 0..<kw { sources[ky * kw + kx] = ky * windowWidth + kx }
        }
        for n in samples {
            let image = x + n * channels * plane
            let output = out + n * g.outputChannels * plane
            for oy in 0..<height {
                for column in Swift.stride(from: 0, to: width, by: directWidth) {
                    // Columns column − P ..< column + 16 + P of rows oy − P + ky.
                    let (left, right) = (column - padding, column + directWidth + padding)
                    let (from, to) = (Swift.max(0, left), Swift.min(width, right))
                    for c in 0..<channels {
                        for ky in 0..<kh {
                            let line = window + c * channelStride + ky * windowWidth
                            let iy = oy - padding + ky
                            guard iy >= 0 && iy < height else {
                                line.update(repeating: 0, count: windowWidth)
                                continue
                            }
                            line.update(repeating: 0, count: from - left)
                            (line + from - left).update(
                                from: image + (c * height + iy) * width + from, count: to - from)
                            (line + to - left).update(repeating: 0, count: right - to)
                        }
                    }
                    for block in 0..<blocks {
                        let first = block * directRows
                        directTile(
                            UnsafePointer(window), channels: channels, stride: channelStride, shifts: sources,
                            offsets: offsets, masks: nil, weights: packed + block * channels * offsets * directRows,
                            biases: biases + first, out: output + first * plane + oy * width + column,
                            outputStride: plane,
                            rows: Swift.min(directRows, g.outputChannels - first))
                    }
                }
            }
        }
    }

    /// A tile row's 16 outputs.
    @inline(__always)
    private static func store(_ a: (SIMD8<Float>, SIMD8<Float>), _ out: UnsafeMutablePointer<Float>) {
        let row = UnsafeMutableRawPointer(out)
        row.storeBytes(of: a.0, as: SIMD8<Float>.self)
        row.storeBytes(of: a.1, toByteOffset: 32, as: SIMD8<Float>.self)
    }

    /// a += s·(x0, x1), fused where the build targets FMA.
    @inline(__always)
    private static func accumulate(
        _ a: inout (SIMD8<Float>, SIMD8<Float>), _ s: SIMD8<Float>, _ x0: SIMD8<Float>, _ x1: SIMD8<Float>
    ) {
        #if SCOREKIT_FMA
            a.0 = a.0.addingProduct(s, x0)
            a.1 = a.1.addingProduct(s, x1)
        #else
            a.0 = s * x0 + a.0
            a.1 = s * x1 + a.1
        #endif
    }
}
