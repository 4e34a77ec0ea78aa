/// The forward convolution without an unfolded copy, for the same-size convolutions of image
/// U-Nets (3 × 3 with padding 1, 1 × 1; stride 1, one group) on planes of whole 16-float blocks
/// (4 × 4, 8 × 8, 16 × 16, 32 × 32).
///
/// Kernel offset k reads the plane shifted by `shift_k` under its output mask (`PlaneShifts`), so
/// a tile of 4 output channels × 16 positions of one sample accumulates, over input channels c
/// and offsets k, w[o, c, k] times 16 masked floats read straight from the image: 8 fused
/// multiply-adds per 2 loads of the image, 2 of the mask and 4 broadcast weights, all from L1.
/// The unfolded path (im2col, then OpenBLAS, which copies the unfolded rows again into its
/// panels) wrote and read 9 floats per input float twice; this path reads the input in place.
/// Each output is summed in the order of c, then k, from the bias.
extension ConvolutionKernels {
    /// Output channels of a tile.
    static let directRows = 4
    /// Positions of a tile: two 8-float vectors.
    static let directWidth = 16

    /// Whether `forward` convolves `g` directly.
    static func convolvesDirectly(_ g: ConvolutionGeometry) -> Bool {
        g.isSameSize && g.groups == 1 && g.outputPlane % directWidth == 0 && g.batch > 0
    }

    /// y = conv(x, w) + b by direct tiles (`convolvesDirectly(g)` must hold). Outside a shard
    /// region with several threads, the samples are split across them (no BLAS runs here).
    static func forwardDirect(
        _ g: ConvolutionGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>
    ) {
        let shifts = PlaneShifts(g)
        let (channels, offsets, plane) = (g.inputChannels, shifts.offsets.count, g.outputPlane)
        let blocks = (g.outputChannels + directRows - 1) / directRows
        // Weights as [block][c][k][4 rows], rows past C_out zero: a tile's four broadcasts are
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
                    packed[((block * channels + c) * offsets + k) * directRows + row] =
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

    /// The tiles of `samples`. The first and last samples of x are read from a copy with `margin`
    /// zeros on either side, since their shifted reads would leave x (the others' reach into their
    /// neighbours and are masked).
    private static func directSamples(
        _ g: ConvolutionGeometry, _ samples: Range<Int>, x: UnsafePointer<Float>, packed: UnsafePointer<Float>,
        biases: UnsafePointer<Float>, shifts: UnsafePointer<Int>, offsets: Int, margin: Int,
        masks: UnsafePointer<UInt32>, out: UnsafeMutablePointer<Float>
    ) {
        let (channels, plane) = (g.inputChannels, g.outputPlane)
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
                        image + position, channels: channels, plane: plane, shifts: shifts, offsets: offsets,
                        masks: masks + position, weights: weights, biases: biases + first,
                        out: output + first * plane + position, rows: rows)
                }
            }
        }
    }

    /// out[r·plane + 0..<16] = b[r] + Σ_{c, k} w[c, k, r]·(image[c·plane + shift_k + 0..<16] masked by
    /// mask_k) for r < rows.
    @inline(__always)
    private static func directTile(
        _ image: UnsafePointer<Float>, channels: Int, plane: Int, shifts: UnsafePointer<Int>, offsets: Int,
        masks: UnsafePointer<UInt32>, weights: UnsafePointer<Float>, biases: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, rows: Int
    ) {
        typealias V = SIMD8<Float>
        typealias Bits = SIMD8<UInt32>
        var a0 = (V(repeating: biases[0]), V(repeating: biases[0]))
        var a1 = (V(repeating: biases[1]), V(repeating: biases[1]))
        var a2 = (V(repeating: biases[2]), V(repeating: biases[2]))
        var a3 = (V(repeating: biases[3]), V(repeating: biases[3]))
        var w = weights
        var channel = image
        let end = image + channels * plane
        while channel < end {
            var mask = UnsafeRawPointer(masks)
            for k in 0..<offsets {
                let source = UnsafeRawPointer(channel + shifts[k])
                let x0 = unsafeBitCast(
                    source.loadUnaligned(as: Bits.self) & mask.loadUnaligned(as: Bits.self), to: V.self)
                let x1 = unsafeBitCast(
                    source.loadUnaligned(fromByteOffset: 32, as: Bits.self)
                        & mask.loadUnaligned(fromByteOffset: 32, as: Bits.self), to: V.self)
                mask += plane * MemoryLayout<UInt32>.stride
                accumulate(&a0, V(repeating: w[0]), x0, x1)
                accumulate(&a1, V(repeating: w[1]), x0, x1)
                accumulate(&a2, V(repeating: w[2]), x0, x1)
                accumulate(&a3, V(repeating: w[3]), x0, x1)
                w += directRows
            }
            channel += plane
        }
        store(a0, out)
        if rows > 1 { store(a1, out + plane) }
        if rows > 2 { store(a2, out + 2 * plane) }
        if rows > 3 { store(a3, out + 3 * plane) }
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
