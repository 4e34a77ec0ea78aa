/// Winograd's minimal filtering F(2 × 2, 3 × 3) for the 3 × 3 convolutions with padding 1 and
/// stride 1 of image U-Nets (one group): 16 products per 2 × 2 outputs where the definition takes
/// 36, so 2.25× fewer multiply-adds, as 16 matrix products per convolution.
///
/// With the 4 × 4 input patch d of a tile (rows 2·ty − 1 ..< 2·ty + 3, zeros outside the image),
/// the 3 × 3 kernel g and
///
///     Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],
///     Aᵀ = [1 1 1 0; 0 1 −1 −1],
///
/// the tile's outputs are Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A (Lavin & Gray 2016). Summed over input
/// channels, each of the 16 entries ξ of the 4 × 4 transforms is one product
/// M_ξ [C_out × tiles] = U_ξ [C_out × C_in] · V_ξ [C_in × tiles] (OpenBLAS, one thread per shard).
/// The transforms are additions and halvings only, so the result differs from the definition
/// by rounding alone. The input gradient is a convolution of the same kind (the kernel turned
/// by 180°, `inputGradientDirect`); the weight gradient is the adjoint of the same chain:
///
///     dM = A·dY·Aᵀ,  dU_ξ = Σ_tiles dM_ξ · V_ξᵀ,  dg = Gᵀ·dU·G.
extension ConvolutionKernels {
    /// Whether `g` runs by Winograd's F(2 × 2, 3 × 3): a 3 × 3 kernel, padding 1, stride 1, one
    /// group. Rows of `winogradWidth` pixels or more run the transforms along rows of tiles (this
    /// file), narrower ones channels last (WinogradChannelKernels.swift).
    static func convolvesByWinograd(_ g: ConvolutionGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1 && g.padding == 1 && g.groups == 1
            && g.batch > 0
    }

    /// Whether the forward of `g` — and so the input gradient, a forward with the turned kernel —
    /// runs by Winograd: with few channels on either side the direct kernels are faster — 32 or
    /// fewer on planes whose rows run by tiles, 16 or fewer on the small planes that run channels
    /// last (measurements in docs/BENCHMARKS.md, sessions 10 and 11). The weight gradient runs by
    /// Winograd whenever `convolvesByWinograd(g)`.
    static func forwardsByWinograd(_ g: ConvolutionGeometry) -> Bool {
        let fewest = g.width >= winogradWidth ? 32 : 16
        return convolvesByWinograd(g) && Swift.min(g.inputChannels, g.outputChannels) > fewest
    }

    /// The narrowest image rows whose transforms run along rows of tiles: on 8 × 8 and smaller
    /// planes a row holds 4 tiles or fewer, too few for vectors, and the transforms run across
    /// channels instead.
    static let winogradWidth = 16

    /// The 2 × 2 tiles of a plane.
    struct WinogradTiles {
        let rows: Int
        let columns: Int
        var perPlane: Int { rows * columns }

        init(_ g: ConvolutionGeometry) {
            rows = (g.height + 1) / 2
            columns = (g.width + 1) / 2
        }
    }

    /// Samples per pass of the transforms: the input and output transforms of a pass together stay
    /// near `scratchLimit` floats.
    static func winogradChunk(_ g: ConvolutionGeometry, samples: Int) -> Int {
        let perSample = 16 * (g.inputChannels + g.outputChannels) * WinogradTiles(g).perPlane
        return Swift.max(1, Swift.min(samples, scratchLimit / Swift.max(1, perSample)))
    }

    /// The distance between the 16 matrices of a transform holding `count` floats each: whole
    /// 64-byte lines, 5 lines past a multiple of 4 KB. The transforms read or write the 16 at
    /// once; a multiple of 4 KB apart (as 64 channels × 512 tiles are), their streams would all
    /// fall into the same sets of L1 and evict each other on every access.
    static func winogradStride(_ count: Int) -> Int {
        (count + 1023) / 1024 * 1024 + 80
    }

    /// The forward's pieces of the batch, which threads take in turn: about one pass of the
    /// transforms each. The cut depends on `g` alone, never on the thread count: OpenBLAS may sum
    /// a product's entries in another order when its shape changes, so a cut by threads would
    /// change the last bits with the thread count.
    static func winogradPieces(_ g: ConvolutionGeometry) -> [Range<Int>] {
        Compute.shardRanges(count: g.batch, rows: winogradChunk(g, samples: g.batch))
    }

    /// The 16 matrices of a transform, `stride` floats apart (`winogradStride`).
    struct WinogradMatrices {
        let base: UnsafeMutablePointer<Float>
        let stride: Int

        subscript(xi: Int) -> UnsafeMutablePointer<Float> { base + xi * stride }
    }

    /// One pass of the transforms: its samples, their tiles (the products' tile dimension), and
    /// the matrices of the input transform (`inputs` values a tile) and of the output's.
    struct WinogradPass {
        let samples: Range<Int>
        let tiles: Int
        let input: WinogradMatrices
        let output: WinogradMatrices
        /// Whether this is the first pass over the samples it was called for.
        let isFirst: Bool
    }

    /// Runs `body` over `samples` in passes of at most `winogradChunk` samples, in order, with
    /// buffers for `inputs` and `outputs` values a tile.
    static func forEachWinogradPass(
        _ g: ConvolutionGeometry, samples: Range<Int>, inputs: Int, outputs: Int, _ body: (WinogradPass) -> Void
    ) {
        let perPlane = WinogradTiles(g).perPlane
        let chunk = winogradChunk(g, samples: samples.count)
        let v = UnsafeMutablePointer<Float>.allocate(capacity: 16 * winogradStride(inputs * chunk * perPlane))
        let m = UnsafeMutablePointer<Float>.allocate(capacity: 16 * winogradStride(outputs * chunk * perPlane))
        defer {
            v.deallocate()
            m.deallocate()
        }
        for first in stride(from: samples.lowerBound, to: samples.upperBound, by: chunk) {
            let part = first..<Swift.min(samples.upperBound, first + chunk)
            let tiles = part.count * perPlane
            body(
                WinogradPass(
                    samples: part, tiles: tiles,
                    input: WinogradMatrices(base: v, stride: winogradStride(inputs * tiles)),
                    output: WinogradMatrices(base: m, stride: winogradStride(outputs * tiles)),
                    isFirst: first == samples.lowerBound))
        }
    }

    /// y = conv(x, w) + b (`convolvesByWinograd(g)` must hold).
    static func forwardWinograd(
        _ g: ConvolutionGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>
    ) {
        guard g.width >= winogradWidth else {
            forwardWinogradChannels(g, x: x, weight: weight, bias: bias, out: out)
            return
        }
        let (inputs, outputs) = (g.inputChannels, g.outputChannels)
        let u = WinogradMatrices(
            base: .allocate(capacity: 16 * winogradStride(outputs * inputs)), stride: winogradStride(outputs * inputs))
        defer { u.base.deallocate() }
        transformWeights(weight, outputs: outputs, inputs: inputs, into: u.base, stride: u.stride)
        let pieces = winogradPieces(g)
        Compute.forEachShard(pieces.count) { piece in
            forEachWinogradPass(g, samples: pieces[piece], inputs: inputs, outputs: outputs) { pass in
                transformInput(g, x, pass.samples, into: pass.input.base, stride: pass.input.stride)
                for xi in 0..<16 {
                    MatrixKernels.gemm(
                        transposeA: false, transposeB: false, m: outputs, n: pass.tiles, k: inputs, u[xi],
                        pass.input[xi], pass.output[xi])
                }
                transformOutput(g, pass.output.base, stride: pass.output.stride, bias: bias, pass.samples, into: out)
            }
        }
    }

    /// gw = Σ_samples gy ⋆ x (`convolvesByWinograd(g)` must hold); writes every element of `out`.
    static func weightGradientWinograd(
        _ g: ConvolutionGeometry, x: UnsafePointer<Float>, outputGradient gy: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>
    ) {
        guard g.width >= winogradWidth else {
            weightGradientWinogradChannels(g, x: x, outputGradient: gy, out: out)
            return
        }
        let (inputs, outputs) = (g.inputChannels, g.outputChannels)
        let weightStride = winogradStride(outputs * inputs)
        let sum = UnsafeMutablePointer<Float>.allocate(capacity: 16 * weightStride)
        defer { sum.deallocate() }
        sumOverWinogradPieces(g, size: 16 * weightStride, into: sum) { samples, partial in
            let du = WinogradMatrices(base: partial, stride: weightStride)
            forEachWinogradPass(g, samples: samples, inputs: inputs, outputs: outputs) { pass in
                transformInput(g, x, pass.samples, into: pass.input.base, stride: pass.input.stride)
                transformOutputGradient(g, gy, pass.samples, into: pass.output.base, stride: pass.output.stride)
                for xi in 0..<16 {
                    MatrixKernels.gemm(
                        transposeA: false, transposeB: true, m: outputs, n: inputs, k: pass.tiles, pass.output[xi],
                        pass.input[xi], beta: pass.isFirst ? 0 : 1, du[xi])
                }
            }
        }
        transformWeightGradient(sum, outputs: outputs, inputs: inputs, stride: weightStride, into: out)
    }

    /// The weight gradient sums over the batch in this many pieces of consecutive samples (fewer
    /// for a smaller batch), each summed on its own — on its own thread outside a shard region —
    /// and the pieces added in order. The cut depends on the batch size only, so the gradient
    /// does not depend on the thread count.
    static let winogradSumPieces = 4

    /// Σ over the pieces of `g`'s batch, in piece order, of `partial(samples, buffer)`, which writes
    /// the sum of its samples' terms into `size` floats at `buffer`; the total goes into `sum`.
    static func sumOverWinogradPieces(
        _ g: ConvolutionGeometry, size: Int, into sum: UnsafeMutablePointer<Float>,
        _ partial: (Range<Int>, UnsafeMutablePointer<Float>) -> Void
    ) {
        let pieces = Compute.shardRanges(
            count: g.batch, rows: Swift.max(1, (g.batch + winogradSumPieces - 1) / winogradSumPieces))
        let parallel = !Compute.insideShard && Compute.threadCount > 1
        // Outside a shard region every piece after the first has its own buffer; inside, they take
        // turns in one.
        let buffers = parallel ? pieces.count - 1 : Swift.min(1, pieces.count - 1)
        let others = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, buffers * size))
        defer { others.deallocate() }
        func buffer(_ piece: Int) -> UnsafeMutablePointer<Float> {
            piece == 0 ? sum : others + (parallel ? (piece - 1) * size : 0)
        }
        func add(_ piece: Int) {
            let terms = buffer(piece)
            for i in 0..<size { sum[i] += terms[i] }
        }
        if parallel {
            Compute.forEachShard(pieces.count) { piece in partial(pieces[piece], buffer(piece)) }
            for piece in pieces.indices.dropFirst() { add(piece) }
        } else {
            for piece in pieces.indices {
                partial(pieces[piece], buffer(piece))
                if piece > 0 { add(piece) }
            }
        }
    }

    /// Runs `body(o, c)` for every entry of the 16 weight matrices, in the order of their storage
    /// (entry (o, c) at o·`outputStep` + c·`inputStep`), so their 16 streams run forward.
    @inline(__always)
    private static func forEachWeightEntry(
        outputs: Int, inputs: Int, outputStep: Int, inputStep: Int, _ body: (Int, Int) -> Void
    ) {
        let outputsInner = outputStep < inputStep
        for outer in 0..<(outputsInner ? inputs : outputs) {
            for inner in 0..<(outputsInner ? outputs : inputs) {
                outputsInner ? body(inner, outer) : body(outer, inner)
            }
        }
    }

    /// U_ξ[o, c] = (G·w[o, c]·Gᵀ)_ξ, as 16 matrices `stride` floats apart, entry (o, c) of each at
    /// o·`outputStep` + c·`inputStep` ([C_out][C_in] by default).
    static func transformWeights(
        _ w: UnsafePointer<Float>, outputs: Int, inputs: Int, into u: UnsafeMutablePointer<Float>, stride plane: Int,
        outputStep: Int? = nil, inputStep: Int = 1
    ) {
        let outputStep = outputStep ?? inputs
        forEachWeightEntry(outputs: outputs, inputs: inputs, outputStep: outputStep, inputStep: inputStep) { o, c in
            let k = w + (o * inputs + c) * 9
            // G·g by columns j: g₀ⱼ, ½(g₀ⱼ + g₁ⱼ + g₂ⱼ), ½(g₀ⱼ − g₁ⱼ + g₂ⱼ), g₂ⱼ.
            let (a, b, e) = (
                SIMD4(k[0], k[1], k[2], 0), SIMD4(k[3], k[4], k[5], 0), SIMD4(k[6], k[7], k[8], 0)
            )
            let rows = (a, 0.5 * (a + b + e), 0.5 * (a - b + e), e)
            for i in 0..<4 {
                let r: SIMD4<Float>
                switch i {
                case 0: r = rows.0
                case 1: r = rows.1
                case 2: r = rows.2
                default: r = rows.3
                }
                // (G·g)ᵢ·Gᵀ: r₀, ½(r₀ + r₁ + r₂), ½(r₀ − r₁ + r₂), r₂.
                let base = u + (i * 4) * plane + o * outputStep + c * inputStep
                base[0] = r[0]
                base[plane] = 0.5 * (r[0] + r[1] + r[2])
                base[2 * plane] = 0.5 * (r[0] - r[1] + r[2])
                base[3 * plane] = r[2]
            }
        }
    }

    /// dw[o, c] = Gᵀ·dU[o, c]·G for dU as 16 matrices `stride` floats apart, entry (o, c) of each
    /// at o·`outputStep` + c·`inputStep` ([C_out][C_in] by default).
    static func transformWeightGradient(
        _ du: UnsafePointer<Float>, outputs: Int, inputs: Int, stride plane: Int, into out: UnsafeMutablePointer<Float>,
        outputStep: Int? = nil, inputStep: Int = 1
    ) {
        let outputStep = outputStep ?? inputs
        forEachWeightEntry(outputs: outputs, inputs: inputs, outputStep: outputStep, inputStep: inputStep) { o, c in
            let at = o * outputStep + c * inputStep
            // Gᵀ·X by columns j: x₀ⱼ + ½(x₁ⱼ + x₂ⱼ), ½(x₁ⱼ − x₂ⱼ), ½(x₁ⱼ + x₂ⱼ) + x₃ⱼ.
            var x = (SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>())
            for j in 0..<4 {
                x.0[j] = du[j * plane + at]
                x.1[j] = du[(4 + j) * plane + at]
                x.2[j] = du[(8 + j) * plane + at]
                x.3[j] = du[(12 + j) * plane + at]
            }
            let q = (x.0 + 0.5 * (x.1 + x.2), 0.5 * (x.1 - x.2), 0.5 * (x.1 + x.2) + x.3)
            // Each row r of Gᵀ·X times G: r₀ + ½(r₁ + r₂), ½(r₁ − r₂), ½(r₁ + r₂) + r₃.
            let k = out + (o * inputs + c) * 9
            for i in 0..<3 {
                let r = i == 0 ? q.0 : i == 1 ? q.1 : q.2
                k[i * 3] = r[0] + 0.5 * (r[1] + r[2])
                k[i * 3 + 1] = 0.5 * (r[1] - r[2])
                k[i * 3 + 2] = 0.5 * (r[1] + r[2]) + r[3]
            }
        }
    }

    /// V_ξ[c, t] = (Bᵀ·d·B)_ξ for the tiles t of `samples` (sample-major, then tile rows), as
    /// 16 matrices [C_in][tiles] `stride` floats apart.
    private static func transformInput(
        _ g: ConvolutionGeometry, _ x: UnsafePointer<Float>, _ samples: Range<Int>, into v: UnsafeMutablePointer<Float>,
        stride rowStride: Int
    ) {
        let tiles = WinogradTiles(g)
        let (height, width, channels) = (g.height, g.width, g.inputChannels)
        let count = samples.count * tiles.perPlane
        // The plane with a border of zeros (rows −1 ..< 2·rows + 1, columns −1 ..< 2·columns + 1),
        // each row with its even columns first and its odd ones after, so that a tile's four
        // columns are entries tx and tx + 1 of each half and the column step below runs over
        // contiguous floats.
        let half = tiles.columns + 1
        let (paddedRows, paddedColumns) = (2 * tiles.rows + 2, 2 * half)
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: paddedRows * paddedColumns)
        let combined = UnsafeMutablePointer<Float>.allocate(capacity: 4 * paddedColumns)
        defer {
            padded.deallocate()
            combined.deallocate()
        }
        padded.initialize(repeating: 0, count: paddedRows * paddedColumns)
        combined.initialize(repeating: 0, count: 4 * paddedColumns)
        for c in 0..<channels {
            for (index, n) in samples.enumerated() {
                let image = x + (n * channels + c) * height * width
                for r in 0..<height {
                    // Image column j is padded column j + 1: odd j are even padded columns.
                    let (even, odd) = (padded + (r + 1) * paddedColumns, padded + (r + 1) * paddedColumns + half)
                    let line = image + r * width
                    for q in 0..<(width / 2) {
                        odd[q] = line[2 * q]
                        even[q + 1] = line[2 * q + 1]
                    }
                    if width % 2 == 1 { odd[width / 2] = line[width - 1] }
                }
                for ty in 0..<tiles.rows {
                    // Bᵀ·d on whole rows: d₀ − d₂, d₁ + d₂, d₂ − d₁, d₁ − d₃.
                    let r0 = padded + 2 * ty * paddedColumns
                    let (r1, r2, r3) = (r0 + paddedColumns, r0 + 2 * paddedColumns, r0 + 3 * paddedColumns)
                    let (s0, s1, s2, s3) = (
                        combined, combined + paddedColumns, combined + 2 * paddedColumns, combined + 3 * paddedColumns
                    )
                    for q in 0..<paddedColumns {
                        s0[q] = r0[q] - r2[q]
                        s1[q] = r1[q] + r2[q]
                        s2[q] = r2[q] - r1[q]
                        s3[q] = r1[q] - r3[q]
                    }
                    // ·B on each tile's columns a, b, e, d = even[tx], odd[tx], even[tx + 1], odd[tx + 1]:
                    // a − e, b + e, e − b, b − d.
                    let first = c * count + index * tiles.perPlane + ty * tiles.columns
                    for i in 0..<4 {
                        let (even, odd) = (combined + i * paddedColumns, combined + i * paddedColumns + half)
                        let row = v + 4 * i * rowStride + first
                        let (row1, row2, row3) = (row + rowStride, row + 2 * rowStride, row + 3 * rowStride)
                        for tx in 0..<tiles.columns {
                            row[tx] = even[tx] - even[tx + 1]
                            row1[tx] = odd[tx] + even[tx + 1]
                            row2[tx] = even[tx + 1] - odd[tx]
                            row3[tx] = odd[tx] - odd[tx + 1]
                        }
                    }
                }
            }
        }
    }

    /// y = Aᵀ·M·A + b for the tiles of `samples`, M as 16 matrices [C_out][tiles] `stride` floats
    /// apart; outputs past an odd height or width are dropped.
    private static func transformOutput(
        _ g: ConvolutionGeometry, _ m: UnsafePointer<Float>, stride rowStride: Int, bias: UnsafePointer<Float>?,
        _ samples: Range<Int>, into out: UnsafeMutablePointer<Float>
    ) {
        let tiles = WinogradTiles(g)
        let (height, width, outputs) = (g.height, g.width, g.outputChannels)
        let count = samples.count * tiles.perPlane
        let columns = tiles.columns
        // Aᵀ·M for one row of tiles, [2 rows][4 columns][tiles]: each loop runs over contiguous tiles.
        let z = UnsafeMutablePointer<Float>.allocate(capacity: 8 * columns)
        defer { z.deallocate() }
        for o in 0..<outputs {
            let b = bias?[o] ?? 0
            for (index, n) in samples.enumerated() {
                let plane = out + (n * outputs + o) * height * width
                for ty in 0..<tiles.rows {
                    let first = m + o * count + index * tiles.perPlane + ty * columns
                    // Aᵀ·M, column j: m₀ⱼ + m₁ⱼ + m₂ⱼ and m₁ⱼ − m₂ⱼ − m₃ⱼ.
                    for j in 0..<4 {
                        let (m0, m1) = (first + j * rowStride, first + (4 + j) * rowStride)
                        let (m2, m3) = (first + (8 + j) * rowStride, first + (12 + j) * rowStride)
                        let (z0, z1) = (z + j * columns, z + (4 + j) * columns)
                        for tx in 0..<columns {
                            z0[tx] = m0[tx] + m1[tx] + m2[tx]
                            z1[tx] = m1[tx] - m2[tx] - m3[tx]
                        }
                    }
                    // ·A: outputs 2·tx and 2·tx + 1 of row 2·ty + r are z₀ + z₁ + z₂ and z₁ − z₂ − z₃.
                    for r in 0..<2 where 2 * ty + r < height {
                        let line = plane + (2 * ty + r) * width
                        let (c0, c1, c2, c3) = (
                            z + 4 * r * columns, z + (4 * r + 1) * columns, z + (4 * r + 2) * columns,
                            z + (4 * r + 3) * columns
                        )
                        let whole = width / 2
                        for tx in 0..<whole {
                            line[2 * tx] = c0[tx] + c1[tx] + c2[tx] + b
                            line[2 * tx + 1] = c1[tx] - c2[tx] - c3[tx] + b
                        }
                        if width % 2 == 1 { line[2 * whole] = c0[whole] + c1[whole] + c2[whole] + b }
                    }
                }
            }
        }
    }

    /// dM_ξ[o, t] = (A·dY·Aᵀ)_ξ for the tiles of `samples` (dY zero past an odd height or width),
    /// as 16 matrices [C_out][tiles] `stride` floats apart.
    private static func transformOutputGradient(
        _ g: ConvolutionGeometry, _ gy: UnsafePointer<Float>, _ samples: Range<Int>,
        into dm: UnsafeMutablePointer<Float>, stride rowStride: Int
    ) {
        let tiles = WinogradTiles(g)
        let (height, width, outputs) = (g.height, g.width, g.outputChannels)
        let count = samples.count * tiles.perPlane
        for o in 0..<outputs {
            for (index, n) in samples.enumerated() {
                let plane = gy + (n * outputs + o) * height * width
                for ty in 0..<tiles.rows {
                    let (y0, y1) = (2 * ty, 2 * ty + 1)
                    let first = dm + o * count + index * tiles.perPlane + ty * tiles.columns
                    for tx in 0..<tiles.columns {
                        let (x0, x1) = (2 * tx, 2 * tx + 1)
                        let d00 = plane[y0 * width + x0]
                        let d01 = x1 < width ? plane[y0 * width + x1] : 0
                        let d10 = y1 < height ? plane[y1 * width + x0] : 0
                        let d11 = y1 < height && x1 < width ? plane[y1 * width + x1] : 0
                        // A·dY, rows: dy₀, dy₀ + dy₁, dy₀ − dy₁, −dy₁; then each row (a, b)·Aᵀ =
                        // (a, a + b, a − b, −b).
                        let a = SIMD4(d00, d00 + d10, d00 - d10, -d10)
                        let b = SIMD4(d01, d01 + d11, d01 - d11, -d11)
                        let (sum, difference) = (a + b, a - b)
                        let e = first + tx
                        for i in 0..<4 {
                            e[4 * i * rowStride] = a[i]
                            e[(4 * i + 1) * rowStride] = sum[i]
                            e[(4 * i + 2) * rowStride] = difference[i]
                            e[(4 * i + 3) * rowStride] = -b[i]
                        }
                    }
                }
            }
        }
    }
}
