/// The sizes of one 2-D convolution over NCHW images: x [N, C_in, H, W] and a weight
/// [C_out, C_in/G, k_h, k_w] give y [N, C_out, H_out, W_out].
///
/// ```
/// H_out = ⌊(H + 2·padding − k_h)/stride⌋ + 1      (W_out likewise)
/// ```
struct ConvolutionGeometry: Sendable, Equatable {
    let batch: Int
    let inputChannels: Int
    let height: Int
    let width: Int
    let outputChannels: Int
    let kernelHeight: Int
    let kernelWidth: Int
    let stride: Int
    let padding: Int
    let groups: Int

    init(
        batch: Int, inputChannels: Int, height: Int, width: Int, outputChannels: Int, kernelHeight: Int,
        kernelWidth: Int, stride: Int, padding: Int, groups: Int
    ) {
        precondition(stride >= 1 && padding >= 0 && groups >= 1, "convolution: stride \(stride), padding \(padding)")
        precondition(
            inputChannels % groups == 0 && outputChannels % groups == 0,
            "convolution: \(groups) groups must divide \(inputChannels) input and \(outputChannels) output channels")
        precondition(
            height + 2 * padding >= kernelHeight && width + 2 * padding >= kernelWidth,
            "convolution: a \(kernelHeight)×\(kernelWidth) kernel does not fit a padded \(height)×\(width) image")
        self.batch = batch
        self.inputChannels = inputChannels
        self.height = height
        self.width = width
        self.outputChannels = outputChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
        self.groups = groups
    }

    var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    var inputShape: [Int] { [batch, inputChannels, height, width] }
    var outputShape: [Int] { [batch, outputChannels, outputHeight, outputWidth] }
    var weightShape: [Int] { [outputChannels, inputChannels / groups, kernelHeight, kernelWidth] }
    /// C_in/G·k_h·k_w, the rows of the unfolded input and the columns of a group's weight matrix.
    var patchSize: Int { inputChannels / groups * kernelHeight * kernelWidth }
    /// H_out·W_out.
    var outputPlane: Int { outputHeight * outputWidth }
    /// Stride 1 and an output of the input's size (3 × 3 with padding 1, 1 × 1 without): the
    /// convolutions whose unfolding is a shifted copy of each plane.
    var isSameSize: Bool { stride == 1 && outputHeight == height && outputWidth == width }
}

/// Convolutions as matrix products: each group's weight [C_out/G, K] times the unfolded input
/// (im2col) [K, n·H_out·W_out] of a chunk of n samples, one sgemm per group and chunk.
///
/// The three products of a convolution — forward, input gradient (the transposed convolution)
/// and weight gradient — share the unfolding; the input gradient folds its columns back (col2im).
/// Chunks keep the unfolded buffer near `scratchLimit` floats. The forward and the input
/// gradient of the same-size, one-group convolutions that `convolvesDirectly` accepts skip all
/// this and run directly (DirectConvolutionKernels.swift).
enum ConvolutionKernels {
    /// The largest unfolded buffer, in floats (8 MB).
    static let scratchLimit = 1 << 21

    /// Samples per chunk for `geometry`.
    static func chunkSize(_ g: ConvolutionGeometry) -> Int {
        Swift.max(1, Swift.min(g.batch, scratchLimit / Swift.max(1, g.patchSize * g.outputPlane)))
    }

    /// y = conv(x, w) + b for every sample; `bias` may be nil.
    static func forward(
        _ g: ConvolutionGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>
    ) {
        if forwardsByWinograd(g) {
            forwardWinograd(g, x: x, weight: weight, bias: bias, out: out)
            return
        }
        if convolvesDirectly(g) {
            forwardDirect(g, x: x, weight: weight, bias: bias, out: out)
            return
        }
        let (k, plane, groupOut) = (g.patchSize, g.outputPlane, g.outputChannels / g.groups)
        let chunk = chunkSize(g)
        let shifts = g.isSameSize ? PlaneShifts(g) : nil
        let columns = UnsafeMutablePointer<Float>.allocate(capacity: k * chunk * plane)
        let product = UnsafeMutablePointer<Float>.allocate(capacity: groupOut * chunk * plane)
        defer {
            columns.deallocate()
            product.deallocate()
        }
        for first in stride(from: 0, to: g.batch, by: chunk) {
            let samples = first..<Swift.min(g.batch, first + chunk)
            let width = samples.count * plane
            for group in 0..<g.groups {
                unfold(g, x, group: group, samples: samples, into: columns, shifts: shifts)
                MatrixKernels.gemm(
                    transposeA: false, transposeB: false, m: groupOut, n: width, k: k,
                    weight + group * groupOut * k, columns, product)
                // product [C_out/G, n, plane] → out[n, group·C_out/G + c, plane], plus the bias.
                for c in 0..<groupOut {
                    let channel = group * groupOut + c
                    let b = bias?[channel] ?? 0
                    for (offset, n) in samples.enumerated() {
                        let src = product + (c * samples.count + offset) * plane
                        let dst = out + (n * g.outputChannels + channel) * plane
                        for i in 0..<plane { dst[i] = src[i] + b }
                    }
                }
            }
        }
    }

    /// gx = convᵀ(gy, w): the gradient of the input for the output gradient `gy` (the
    /// transposed convolution). Writes every element of `out`.
    static func inputGradient(
        _ g: ConvolutionGeometry, outputGradient gy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>
    ) {
        if convolvesDirectly(g) {
            inputGradientDirect(g, outputGradient: gy, weight: weight, out: out)
            return
        }
        let (k, plane, groupOut) = (g.patchSize, g.outputPlane, g.outputChannels / g.groups)
        // The same-size fold writes every plane; the general one adds into zeros.
        if !g.isSameSize { out.initialize(repeating: 0, count: g.batch * g.inputChannels * g.height * g.width) }
        let chunk = chunkSize(g)
        let shifts = g.isSameSize ? PlaneShifts(g) : nil
        // The same-size fold reads up to `foldMargin` floats beyond either end of the columns.
        let margin = g.isSameSize ? foldMargin(g) : 0
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: k * chunk * plane + 2 * margin)
        padded.initialize(repeating: 0, count: margin)
        (padded + margin + k * chunk * plane).initialize(repeating: 0, count: margin)
        let columns = padded + margin
        let gathered = UnsafeMutablePointer<Float>.allocate(capacity: groupOut * chunk * plane)
        defer {
            padded.deallocate()
            gathered.deallocate()
        }
        for first in stride(from: 0, to: g.batch, by: chunk) {
            let samples = first..<Swift.min(g.batch, first + chunk)
            let width = samples.count * plane
            for group in 0..<g.groups {
                gatherOutput(g, gy, group: group, samples: samples, into: gathered)
                MatrixKernels.gemm(
                    transposeA: true, transposeB: false, m: k, n: width, k: groupOut,
                    weight + group * groupOut * k, gathered, columns)
                fold(g, columns, group: group, samples: samples, into: out, shifts: shifts)
            }
        }
    }

    /// gw = Σ_samples gy ⋆ x: the gradient of the weight for the output gradient `gy`.
    static func weightGradient(
        _ g: ConvolutionGeometry, x: UnsafePointer<Float>, outputGradient gy: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>
    ) {
        if convolvesByWinograd(g) {
            weightGradientWinograd(g, x: x, outputGradient: gy, out: out)
            return
        }
        let (k, plane, groupOut) = (g.patchSize, g.outputPlane, g.outputChannels / g.groups)
        let chunk = chunkSize(g)
        let shifts = g.isSameSize ? PlaneShifts(g) : nil
        let columns = UnsafeMutablePointer<Float>.allocate(capacity: k * chunk * plane)
        let gathered = UnsafeMutablePointer<Float>.allocate(capacity: groupOut * chunk * plane)
        defer {
            columns.deallocate()
            gathered.deallocate()
        }
        if g.batch == 0 { out.initialize(repeating: 0, count: g.outputChannels * k) }
        for first in stride(from: 0, to: g.batch, by: chunk) {
            let samples = first..<Swift.min(g.batch, first + chunk)
            let width = samples.count * plane
            for group in 0..<g.groups {
                unfold(g, x, group: group, samples: samples, into: columns, shifts: shifts)
                gatherOutput(g, gy, group: group, samples: samples, into: gathered)
                MatrixKernels.gemm(
                    transposeA: false, transposeB: true, m: groupOut, n: k, k: width,
                    gathered, columns, beta: first == 0 ? 0 : 1, out + group * groupOut * k)
            }
        }
    }

    /// The output gradient's channels of `group` for `samples`, as [C_out/G, n·plane].
    private static func gatherOutput(
        _ g: ConvolutionGeometry, _ gy: UnsafePointer<Float>, group: Int, samples: Range<Int>,
        into dst: UnsafeMutablePointer<Float>
    ) {
        let (plane, groupOut) = (g.outputPlane, g.outputChannels / g.groups)
        for c in 0..<groupOut {
            for (offset, n) in samples.enumerated() {
                (dst + (c * samples.count + offset) * plane).update(
                    from: gy + (n * g.outputChannels + group * groupOut + c) * plane, count: plane)
            }
        }
    }

    /// The valid output columns `lower..<upper` for kernel column `kx`: those whose input column
    /// ow·stride − padding + kx lies in 0..<W.
    @inline(__always)
    fileprivate static func validColumns(_ g: ConvolutionGeometry, _ kx: Int) -> (Int, Int) {
        let shift = g.padding - kx
        let lower = shift <= 0 ? 0 : (shift + g.stride - 1) / g.stride
        let last = g.width - 1 + shift
        let upper = last < 0 ? 0 : Swift.min(g.outputWidth, last / g.stride + 1)
        return (Swift.min(lower, upper), upper)
    }

    /// im2col: columns[(c·k_h + ky)·k_w + kx, s·plane + oy·W_out + ox] = x[n, c, oy·S − P + ky, ox·S − P + kx]
    /// (0 outside the image), for the channels of `group` and sample n = samples[s].
    static func unfold(
        _ g: ConvolutionGeometry, _ x: UnsafePointer<Float>, group: Int, samples: Range<Int>,
        into columns: UnsafeMutablePointer<Float>, shifts: PlaneShifts? = nil
    ) {
        let groupIn = g.inputChannels / g.groups
        let (plane, outW, rowLength) = (g.outputPlane, g.outputWidth, samples.count * g.outputPlane)
        let (stride, padding, imageW) = (g.stride, g.padding, g.width)
        if g.isSameSize {
            unfoldSameSize(g, x, group: group, samples: samples, into: columns, shifts: shifts ?? PlaneShifts(g))
            return
        }
        for c in 0..<groupIn {
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    let row = columns + ((c * g.kernelHeight + ky) * g.kernelWidth + kx) * rowLength
                    let (lower, upper) = validColumns(g, kx)
                    for (offset, n) in samples.enumerated() {
                        let image = x + ((n * g.inputChannels + group * groupIn + c) * g.height) * imageW
                        for oy in 0..<g.outputHeight {
                            let dst = row + offset * plane + oy * outW
                            let iy = oy * stride - padding + ky
                            guard iy >= 0 && iy < g.height, upper > lower else {
                                dst.initialize(repeating: 0, count: outW)
                                continue
                            }
                            dst.initialize(repeating: 0, count: lower)
                            (dst + upper).initialize(repeating: 0, count: outW - upper)
                            let src = image + iy * imageW - padding + kx
                            if stride == 1 {
                                (dst + lower).update(from: src + lower, count: upper - lower)
                            } else {
                                for ox in lower..<upper { dst[ox] = src[ox &* stride] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `unfold` for a stride-1 convolution whose output has the input's size (3 × 3 with padding
    /// 1, 1 × 1 without): kernel offset k reads the image shifted by a constant, so its row of
    /// the unfolded input is the plane shifted by `shift_k` and masked (`PlaneShifts`). A plane
    /// is read for all its offsets while it is in cache, in SIMD loops over whole planes without
    /// library calls: on the small planes of image U-Nets (8 × 8, 4 × 4, 2 × 2) a call or a
    /// branch per row cost more than the copy. The shifted reads of a plane reach into its
    /// neighbours in `x` (and are masked to zero); only the planes at the two ends of `x`, whose
    /// reads would leave it, copy their valid block alone.
    private static func unfoldSameSize(
        _ g: ConvolutionGeometry, _ x: UnsafePointer<Float>, group: Int, samples: Range<Int>,
        into columns: UnsafeMutablePointer<Float>, shifts: PlaneShifts
    ) {
        let groupIn = g.inputChannels / g.groups
        let (plane, rowLength) = (g.outputPlane, samples.count * g.outputPlane)
        let offsetCount = shifts.offsets.count
        let totalPlanes = g.batch * g.inputChannels
        shifts.withMasks { outputMasks, _ in
            for c in 0..<groupIn {
                for (index, n) in samples.enumerated() {
                    let planeIndex = n * g.inputChannels + group * groupIn + c
                    let image = x + planeIndex * plane
                    let inside =
                        planeIndex * plane >= shifts.margin
                        && (planeIndex + 1) * plane + shifts.margin <= totalPlanes * plane
                    let rows = columns + c * offsetCount * rowLength + index * plane
                    for k in 0..<offsetCount {
                        let offset = shifts.offsets[k]
                        let (dst, mask) = (rows + k * rowLength, outputMasks + k * plane)
                        if inside {
                            PlaneCopy.maskedCopy(image + offset.shift, mask, dst, count: plane)
                        } else {
                            PlaneCopy.zero(dst, count: plane)
                            PlaneCopy.maskedCopy(
                                image + offset.start + offset.shift, mask + offset.start, dst + offset.start,
                                count: offset.end - offset.start)
                        }
                    }
                }
            }
        }
    }

    /// col2im, the adjoint of `unfold`: adds every column entry back into the image element it
    /// was read from. The general path adds into `x` (which the caller zeroes); the same-size
    /// path writes the planes of `group`'s channels for `samples` whole.
    static func fold(
        _ g: ConvolutionGeometry, _ columns: UnsafeMutablePointer<Float>, group: Int, samples: Range<Int>,
        into x: UnsafeMutablePointer<Float>, shifts: PlaneShifts? = nil
    ) {
        let groupIn = g.inputChannels / g.groups
        let (plane, outW, rowLength) = (g.outputPlane, g.outputWidth, samples.count * g.outputPlane)
        let (stride, padding, imageW) = (g.stride, g.padding, g.width)
        if g.isSameSize {
            foldSameSize(g, columns, group: group, samples: samples, into: x, shifts: shifts ?? PlaneShifts(g))
            return
        }
        for c in 0..<groupIn {
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    let row = columns + ((c * g.kernelHeight + ky) * g.kernelWidth + kx) * rowLength
                    let (lower, upper) = validColumns(g, kx)
                    guard upper > lower else { continue }
                    for (offset, n) in samples.enumerated() {
                        let image = x + ((n * g.inputChannels + group * groupIn + c) * g.height) * imageW
                        for oy in 0..<g.outputHeight {
                            let iy = oy * stride - padding + ky
                            guard iy >= 0 && iy < g.height else { continue }
                            let src = row + offset * plane + oy * outW
                            let dst = image + iy * imageW - padding + kx
                            if stride == 1 {
                                for ox in lower..<upper { dst[ox] += src[ox] }
                            } else {
                                for ox in lower..<upper { dst[ox &* stride] += src[ox] }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension ConvolutionKernels {
    /// Floats the same-size fold may read beyond either end of its columns: the largest shift.
    static func foldMargin(_ g: ConvolutionGeometry) -> Int {
        (g.kernelHeight + g.padding) * g.width + g.kernelWidth + g.padding
    }

    /// `fold` for the convolutions `unfoldSameSize` serves, as a gather that writes (not adds
    /// to) each plane of `x` once: input entry i sums, over the kernel offsets k, the column
    /// entry of output i − shift_k where that output read i (the input masks of
    /// `PlaneShifts`), 8 entries at a time, in the offsets' order. Reads reach up to
    /// `foldMargin` floats beyond the plane's rows, so `columns` must have that margin on both
    /// ends (the entries read there are masked out).
    fileprivate static func foldSameSize(
        _ g: ConvolutionGeometry, _ columns: UnsafeMutablePointer<Float>, group: Int, samples: Range<Int>,
        into x: UnsafeMutablePointer<Float>, shifts: PlaneShifts
    ) {
        let groupIn = g.inputChannels / g.groups
        let (plane, rowLength) = (g.outputPlane, samples.count * g.outputPlane)
        let offsetCount = shifts.offsets.count
        var sources = [UnsafePointer<Float>](repeating: UnsafePointer(columns), count: offsetCount)
        shifts.withMasks { _, inputMasks in
            sources.withUnsafeMutableBufferPointer { sources in
                for c in 0..<groupIn {
                    for (index, n) in samples.enumerated() {
                        let image = x + (n * g.inputChannels + group * groupIn + c) * plane
                        let rows = columns + c * offsetCount * rowLength + index * plane
                        for k in 0..<offsetCount {
                            sources[k] = UnsafePointer(rows + k * rowLength - shifts.offsets[k].shift)
                        }
                        PlaneCopy.maskedSum(
                            UnsafePointer(sources.baseAddress!), offsetCount, inputMasks, image, count: plane)
                    }
                }
            }
        }
    }

    /// The kernel offsets of a stride-1, same-size convolution, in the unfolded rows' order
    /// (ky major), and two masks per offset over a plane (all bits set or none): the output mask
    /// (output j reads input j + shift inside the image: its row and its column) and the input
    /// mask (input i is read by output i − shift: the output mask moved by the shift).
    struct PlaneShifts {
        let offsets: [PlaneShift]
        let outputMasks: [UInt32]
        let inputMasks: [UInt32]
        /// The largest |shift|.
        let margin: Int

        init(_ g: ConvolutionGeometry) {
            let (width, plane) = (g.width, g.outputPlane)
            var offsets: [PlaneShift] = []
            offsets.reserveCapacity(g.kernelHeight * g.kernelWidth)
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth { offsets.append(PlaneShift(g, ky: ky, kx: kx)) }
            }
            var outputMasks = [UInt32](repeating: 0, count: offsets.count * plane)
            var inputMasks = outputMasks
            for (k, offset) in offsets.enumerated() {
                let (lower, upper) = ConvolutionKernels.validColumns(g, k % g.kernelWidth)
                for j in offset.start..<offset.end where (lower..<upper).contains(j % width) {
                    outputMasks[k * plane + j] = ~0
                    inputMasks[k * plane + j + offset.shift] = ~0
                }
            }
            self.offsets = offsets
            self.outputMasks = outputMasks
            self.inputMasks = inputMasks
            margin = offsets.map { abs($0.shift) }.max() ?? 0
        }

        /// Runs `body` with the output and input masks' base addresses (valid only inside it).
        func withMasks(_ body: (UnsafePointer<UInt32>, UnsafePointer<UInt32>) -> Void) {
            outputMasks.withUnsafeBufferPointer { output in
                inputMasks.withUnsafeBufferPointer { input in body(output.baseAddress!, input.baseAddress!) }
            }
        }
    }

    /// One kernel offset (ky, kx) of a stride-1, same-size convolution: output entry j of a plane
    /// reads input entry j + `shift`; entries `start..<end` are the block whose reads lie in the
    /// plane (in it, the columns the shift wrapped across a row edge are masked).
    struct PlaneShift {
        let shift: Int
        let start: Int
        let end: Int

        init(_ g: ConvolutionGeometry, ky: Int, kx: Int) {
            let (height, width, plane) = (g.height, g.width, g.outputPlane)
            let (dy, dx) = (ky - g.padding, kx - g.padding)
            // Output rows whose input row oy + dy lies in the image.
            let firstRow = Swift.max(0, -dy)
            let lastRow = Swift.max(firstRow, Swift.min(height, height - dy))
            shift = dy * width + dx
            start = Swift.max(firstRow * width, -shift)
            end = Swift.max(start, Swift.min(lastRow * width, plane - shift))
        }
    }
}

/// The plane loops of the same-size unfold and fold, 8 floats at a time: written out so that
/// the compiler neither calls the C library for a plane of 16 or 64 floats nor gives up on
/// vectorising for fear that source and destination overlap.
enum PlaneCopy {
    typealias V = SIMD8<Float>
    typealias Bits = SIMD8<UInt32>

    /// dst[0..<count] = 0.
    @inline(__always)
    static func zero(_ dst: UnsafeMutablePointer<Float>, count: Int) {
        let d = UnsafeMutableRawPointer(dst)
        var j = 0
        while j + 8 <= count {
            d.storeBytes(of: V(), toByteOffset: j * 4, as: V.self)
            j += 8
        }
        while j < count {
            dst[j] = 0
            j += 1
        }
    }

    /// dst[j] = src[j] where mask[j] has its bits set, 0 where it is 0, for j < count.
    @inline(__always)
    static func maskedCopy(
        _ src: UnsafePointer<Float>, _ mask: UnsafePointer<UInt32>, _ dst: UnsafeMutablePointer<Float>, count: Int
    ) {
        let (s, m, d) = (UnsafeRawPointer(src), UnsafeRawPointer(mask), UnsafeMutableRawPointer(dst))
        var j = 0
        while j + 8 <= count {
            let bits =
                s.loadUnaligned(fromByteOffset: j * 4, as: Bits.self)
                & m.loadUnaligned(fromByteOffset: j * 4, as: Bits.self)
            d.storeBytes(of: bits, toByteOffset: j * 4, as: Bits.self)
            j += 8
        }
        while j < count {
            dst[j] = Float(bitPattern: src[j].bitPattern & mask[j])
            j += 1
        }
    }

    /// dst[j] = Σ_k sources[k][j] where masks[k·count + j] has its bits set, for j < count,
    /// summed in the order of k.
    @inline(__always)
    static func maskedSum(
        _ sources: UnsafePointer<UnsafePointer<Float>>, _ sourceCount: Int, _ masks: UnsafePointer<UInt32>,
        _ dst: UnsafeMutablePointer<Float>, count: Int
    ) {
        let d = UnsafeMutableRawPointer(dst)
        var j = 0
        while j + 8 <= count {
            var sum = V()
            for k in 0..<sourceCount {
                let bits =
                    UnsafeRawPointer(sources[k] + j).loadUnaligned(as: Bits.self)
                    & UnsafeRawPointer(masks + k * count + j).loadUnaligned(as: Bits.self)
                sum += unsafeBitCast(bits, to: V.self)
            }
            d.storeBytes(of: sum, toByteOffset: j * 4, as: V.self)
            j += 8
        }
        while j < count {
            var sum: Float = 0
            for k in 0..<sourceCount { sum += Float(bitPattern: sources[k][j].bitPattern & masks[k * count + j]) }
            dst[j] = sum
            j += 1
        }
    }
}

/// Resampling of NCHW images by whole factors, seen as [P, H, W] planes.
enum ResamplingKernels {
    /// y[p, i, j] = x[p, ⌊i/f⌋, ⌊j/f⌋]: nearest-neighbour upsampling, y of shape [P, f·H, f·W].
    static func upsampleNearest(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, planes: Int, height: Int, width: Int, factor: Int
    ) {
        let outW = width * factor
        for p in 0..<planes {
            let src = x + p * height * width
            let dst = y + p * height * factor * outW
            for i in 0..<height {
                let row = dst + i * factor * outW
                let srcRow = src + i * width
                for j in 0..<width {
                    let v = srcRow[j]
                    for r in 0..<factor { row[j &* factor &+ r] = v }
                }
                for r in 1..<Swift.max(factor, 1) { (row + r * outW).update(from: row, count: outW) }
            }
        }
    }

    /// y[p, i, j] = Σ_{a, b < f} x[p, f·i + a, f·j + b]: the adjoint of `upsampleNearest`, x of
    /// shape [P, f·H, f·W] and y [P, H, W].
    static func sumPool(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, planes: Int, height: Int, width: Int, factor: Int
    ) {
        let inW = width * factor
        y.initialize(repeating: 0, count: planes * height * width)
        for p in 0..<planes {
            let src = x + p * height * factor * inW
            let dst = y + p * height * width
            for i in 0..<height {
                let out = dst + i * width
                for a in 0..<factor {
                    let row = src + (i * factor + a) * inW
                    for j in 0..<width {
                        var s: Float = 0
                        for b in 0..<factor { s += row[j &* factor &+ b] }
                        out[j] += s
                    }
                }
            }
        }
    }
}
