/// Dense layers for inference on batches stored feature-major in panels of 32 samples.
///
/// A panel holds `features` rows of 32 contiguous floats, one column per sample:
/// ```
/// panel p, feature f, sample p·32 + s   at   base + (p·features + f)·32 + s
/// ```
/// A layer y = act(W·h + b) (W [outputs, inputs], PyTorch's layout) is then a product whose
/// operands need no packing: W's rows are read in place and broadcast, each panel of h is one
/// contiguous block (32 KB for 256 features, within L1), and the output panel is the next layer's
/// input as it stands. Each output tile is finished while it is in registers and L1 (bias, then
/// SiLU over the tile), so the activations never make a second pass through L2, and no zero-fill,
/// bias copy or weight packing happens per call, which sgemm does (≈ 10 % of an MLP's inference;
/// ARCHITECTURE.md).
///
/// Every sample's column is computed alone, in the same order of summation whatever the batch
/// size, so an untracked network's output for a sample does not depend on the samples beside it.
enum PanelKernels {
    /// Samples per panel.
    static let width = 32

    /// The register tile of the product.
    enum Tile: CaseIterable {
        /// 8 outputs × 32 samples in 16 accumulators of 16 floats (32 vector registers: AVX-512).
        case wide
        /// 4 outputs × 16 samples in 8 accumulators of 8 floats (16 registers: AVX2 and below).
        case narrow

        /// The tile of this build: `wide` when it targets AVX-512 (`-D SCOREKIT_AVX512`,
        /// scripts/build-flags.sh), where it runs ≈ 10 % faster than OpenBLAS's sgemm plus the
        /// bias and SiLU passes at 512 × 256 × 256; `narrow` elsewhere.
        static var native: Tile {
            #if SCOREKIT_AVX512
                .wide
            #else
                .narrow
            #endif
        }
    }

    /// Output panels `panels` of act(W·h + b): `weight` [outputs, inputs] row-major, `bias`
    /// [outputs] (or none), `input` and `output` in panels of `inputs` and `outputs` features.
    static func affine(
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, outputs: Int, inputs: Int,
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, panels: Range<Int>,
        silu: Bool, tile: Tile = .native
    ) {
        for p in panels {
            let h = input + p * inputs * width
            let y = output + p * outputs * width
            // Each tile's outputs get their bias and activation while they are in L1.
            @inline(__always) func finish(_ first: Int, _ count: Int) {
                let rows = y + first * width
                if let bias {
                    for f in 0..<count {
                        let b = bias[first + f]
                        let r = rows + f * width
                        for s in 0..<width { r[s] += b }
                    }
                }
                if silu {
                    for i in 0..<(count * width) { rows[i] = FastMath.silu(rows[i]) }
                }
            }
            var row = 0
            switch tile {
            case .wide:
                while row + 8 <= outputs {
                    wideTile(weight + row * inputs, inputs: inputs, h, y + row * width)
                    finish(row, 8)
                    row += 8
                }
            case .narrow:
                while row + 4 <= outputs {
                    narrowTile(weight + row * inputs, inputs: inputs, h, y + row * width)
                    narrowTile(weight + row * inputs, inputs: inputs, h + width / 2, y + row * width + width / 2)
                    finish(row, 4)
                    row += 4
                }
            }
            while row < outputs {
                singleRow(weight + row * inputs, inputs: inputs, h, y + row * width)
                finish(row, 1)
                row += 1
            }
        }
    }

    /// y[r, 0..<32] = Σ_k w[r, k]·h[k, 0..<32] for r < 8 (AVX-512: 16 accumulators in registers,
    /// two loads and eight broadcasts per k).
    @inline(__always)
    private static func wideTile(
        _ w: UnsafePointer<Float>, inputs: Int, _ h: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>
    ) {
        typealias V = SIMD16<Float>
        var c0 = (V(), V()), c1 = (V(), V()), c2 = (V(), V()), c3 = (V(), V())
        var c4 = (V(), V()), c5 = (V(), V()), c6 = (V(), V()), c7 = (V(), V())
        var column = UnsafeRawPointer(h)
        // Eight row pointers advanced together: indexing w[r·inputs + k] would check every
        // product and sum for overflow and keep the offsets on the stack.
        var a0 = w, a1 = w + inputs, a2 = w + 2 * inputs, a3 = w + 3 * inputs
        var a4 = w + 4 * inputs, a5 = w + 5 * inputs, a6 = w + 6 * inputs, a7 = w + 7 * inputs
        let end = w + inputs
        while a0 < end {
            let b0 = column.loadUnaligned(as: V.self)
            let b1 = column.loadUnaligned(fromByteOffset: 64, as: V.self)
            column += width * MemoryLayout<Float>.stride
            step(&c0, &a0, b0, b1)
            step(&c1, &a1, b0, b1)
            step(&c2, &a2, b0, b1)
            step(&c3, &a3, b0, b1)
            step(&c4, &a4, b0, b1)
            step(&c5, &a5, b0, b1)
            step(&c6, &a6, b0, b1)
            step(&c7, &a7, b0, b1)
        }
        for (r, c) in [c0, c1, c2, c3, c4, c5, c6, c7].enumerated() { store(c, row: r, of: y) }
    }

    /// y[r, 0..<16] = Σ_k w[r, k]·h[k, 0..<16] for r < 4, rows 32 floats apart (8 accumulators:
    /// fits the 16 registers of AVX2).
    @inline(__always)
    private static func narrowTile(
        _ w: UnsafePointer<Float>, inputs: Int, _ h: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>
    ) {
        typealias V = SIMD8<Float>
        var c0 = (V(), V()), c1 = (V(), V()), c2 = (V(), V()), c3 = (V(), V())
        var column = UnsafeRawPointer(h)
        var a0 = w, a1 = w + inputs, a2 = w + 2 * inputs, a3 = w + 3 * inputs
        let end = w + inputs
        while a0 < end {
            let b0 = column.loadUnaligned(as: V.self)
            let b1 = column.loadUnaligned(fromByteOffset: 32, as: V.self)
            column += width * MemoryLayout<Float>.stride
            step(&c0, &a0, b0, b1)
            step(&c1, &a1, b0, b1)
            step(&c2, &a2, b0, b1)
            step(&c3, &a3, b0, b1)
        }
        for (r, c) in [c0, c1, c2, c3].enumerated() { store(c, row: r, of: y) }
    }

    /// y[0..<32] = Σ_k w[k]·h[k, 0..<32]: the rows left over by the tiles (a last layer of 2).
    @inline(__always)
    private static func singleRow(
        _ w: UnsafePointer<Float>, inputs: Int, _ h: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>
    ) {
        typealias V = SIMD8<Float>
        var c = (V(), V(), V(), V())
        var column = UnsafeRawPointer(h)
        for k in 0..<inputs {
            let s = V(repeating: w[k])
            c.0 = multiplyAdd(s, column.loadUnaligned(as: V.self), c.0)
            c.1 = multiplyAdd(s, column.loadUnaligned(fromByteOffset: 32, as: V.self), c.1)
            c.2 = multiplyAdd(s, column.loadUnaligned(fromByteOffset: 64, as: V.self), c.2)
            c.3 = multiplyAdd(s, column.loadUnaligned(fromByteOffset: 96, as: V.self), c.3)
            column += width * MemoryLayout<Float>.stride
        }
        let out = UnsafeMutableRawPointer(y)
        out.storeBytes(of: c.0, as: V.self)
        out.storeBytes(of: c.1, toByteOffset: 32, as: V.self)
        out.storeBytes(of: c.2, toByteOffset: 64, as: V.self)
        out.storeBytes(of: c.3, toByteOffset: 96, as: V.self)
    }

    /// One k of a tile row: c += w[r, k]·(b0, b1), and the row's weight pointer moves on.
    @inline(__always)
    private static func step<V: SIMD>(_ c: inout (V, V), _ a: inout UnsafePointer<Float>, _ b0: V, _ b1: V)
    where V.Scalar == Float {
        let s = V(repeating: a.pointee)
        a += 1
        c.0 = multiplyAdd(s, b0, c.0)
        c.1 = multiplyAdd(s, b1, c.1)
    }

    /// Row `row` of a tile's outputs (its two vectors side by side) into its panel row of 32.
    @inline(__always)
    private static func store<V: SIMD>(_ c: (V, V), row: Int, of y: UnsafeMutablePointer<Float>)
    where V.Scalar == Float {
        let out = UnsafeMutableRawPointer(y + row * width)
        out.storeBytes(of: c.0, as: V.self)
        out.storeBytes(of: c.1, toByteOffset: MemoryLayout<V>.stride, as: V.self)
    }

    /// a·b + c lane by lane, fused where the build targets FMA (see `FastMath.multiplyAdd`).
    @inline(__always)
    private static func multiplyAdd<V: SIMD>(_ a: V, _ b: V, _ c: V) -> V where V.Scalar == Float {
        #if SCOREKIT_FMA
            c.addingProduct(a, b)
        #else
            a * b + c
        #endif
    }

    /// Panels of `x` [count, features] (row-major), padded with zero columns to whole panels.
    static func pack(
        _ x: UnsafePointer<Float>, count: Int, features: Int, into panels: UnsafeMutablePointer<Float>
    ) {
        let panelCount = (count + width - 1) / width
        for p in 0..<panelCount {
            let panel = panels + p * features * width
            let samples = min(width, count - p * width)
            if samples < width {
                panel.initialize(repeating: 0, count: features * width)
            }
            let rows = x + p * width * features
            for s in 0..<samples {
                for f in 0..<features { panel[f * width + s] = rows[s * features + f] }
            }
        }
    }

    /// The rows [count, features] of panels (padding columns dropped).
    static func unpack(
        _ panels: UnsafePointer<Float>, count: Int, features: Int, into x: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count {
            let panel = panels + (i / width) * features * width + i % width
            let row = x + i * features
            for f in 0..<features { row[f] = panel[f * width] }
        }
    }
}
