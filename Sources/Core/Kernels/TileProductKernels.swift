/// Matrix products C = A·B (or C += A·B) for the Winograd transforms of small planes, C written
/// once, no zeroing pass.
///
/// OpenBLAS packs both operands into panels and, for β = 0, zeroes C in a pass of its own before
/// the product; for the channels-last Winograd products (16 at a time, a few hundred rows, 32 to
/// 128 channels, docs/BENCHMARKS.md session 11) that overhead is a large part of the work. Here
/// C is computed in register tiles of 6 (or, at the end of A, 4) rows × 16 columns — 12
/// accumulators of 8 floats, with the two vectors of B and a broadcast the 16 registers of
/// AVX2 — one 16-column block at a time: the block of B is copied into a contiguous panel (a
/// row of 16 floats is one cache line, and rows of B a power of two apart would fall into the
/// same few sets of L1), which stays in L1 while the strips of A pass. A is read in place
/// through two strides, so that one kernel takes A as stored (`rowStep` its row length,
/// `kStep` 1) or transposed (`rowStep` 1, `kStep` its row length).
///
/// Each entry of C is the sum over k in order — in blocks of k, the blocks added in order —
/// computed alone, whatever m and n: results do not depend on how a caller cuts its rows.
enum TileProductKernels {
    private typealias Vector = SIMD8<Float>

    /// Columns of a register tile; its rows are 6 (12 accumulators) or, at the end of A, 4.
    static let tileColumns = 16

    /// C[m × n] (row stride `ldc`) = A[m × k]·B[k × n] + (C when `accumulate`), with A[i, k] at
    /// `a[i·rowStep + k·kStep]` and B[k, j] at `b[k·ldb + j]`.
    static func multiply(
        m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, rowStep: Int, kStep: Int,
        _ b: UnsafePointer<Float>, ldb: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            if !accumulate { for i in 0..<m { (c + i * ldc).initialize(repeating: 0, count: n) } }
            return
        }
        // The sum over k runs in blocks: a transposed A is read 6 floats a row, rows far apart,
        // and more than 64 of them would start to evict each other from L1.
        let depth = kStep == 1 ? 256 : 64
        for first in stride(from: 0, to: k, by: depth) {
            multiplyBlock(
                m: m, n: n, k: Swift.min(depth, k - first), a + first * kStep, rowStep: rowStep, kStep: kStep,
                b + first * ldb, ldb: ldb, c, ldc: ldc, accumulate: accumulate || first > 0)
        }
    }

    /// `multiply` for one block of k: each 16-column block of B is copied into a contiguous
    /// panel (zero-padded past n), which the strips of A then pass.
    private static func multiplyBlock(
        m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, rowStep: Int, kStep: Int,
        _ b: UnsafePointer<Float>, ldb: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        // Strips of 6 rows, then of 4 (two for m = 6q + 2, so that no strip is mostly padding),
        // then fewer than 4 rows copied into a zero-padded strip of 4.
        var (sixes, fours, rest) = (m / 6, 0, m % 6)
        if rest == 2, sixes > 0 {
            (sixes, fours, rest) = (sixes - 1, 2, 0)
        } else if rest >= 4 {
            (fours, rest) = (1, rest - 4)
        }
        let restStart = m - rest
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 * k + k * tileColumns) { buffer in
            let paddedA = buffer.baseAddress!
            let panel = paddedA + 4 * k
            if rest > 0 {
                paddedA.initialize(repeating: 0, count: 4 * k)
                for i in 0..<rest {
                    for kk in 0..<k { paddedA[i * k + kk] = a[(restStart + i) * rowStep + kk * kStep] }
                }
            }
            for j in stride(from: 0, to: n, by: tileColumns) {
                let columns = Swift.min(tileColumns, n - j)
                if columns == tileColumns {
                    var (source, target) = (UnsafeRawPointer(b + j), UnsafeMutableRawPointer(panel))
                    for _ in 0..<k {
                        target.storeBytes(of: source.loadUnaligned(as: Vector.self), as: Vector.self)
                        target.storeBytes(
                            of: source.loadUnaligned(fromByteOffset: 32, as: Vector.self), toByteOffset: 32,
                            as: Vector.self)
                        source += ldb &* MemoryLayout<Float>.stride
                        target += 64
                    }
                } else {
                    panel.initialize(repeating: 0, count: k * tileColumns)
                    for kk in 0..<k { (panel + kk * tileColumns).update(from: b + kk * ldb + j, count: columns) }
                }
                let block = UnsafePointer(panel)
                for strip in 0..<(sixes + fours) {
                    let (i, rows) = strip < sixes ? (strip * 6, 6) : (sixes * 6 + (strip - sixes) * 4, 4)
                    let target = c + i * ldc + j
                    let a = a + i * rowStep
                    if columns < tileColumns {
                        edge(
                            tileRows: rows, a, rowStep: rowStep, kStep: kStep, block, k: k, rows: rows,
                            columns: columns, target, ldc: ldc, accumulate: accumulate)
                    } else if rows == 6 {
                        fullTile(
                            SixRows.self, a, rowStep: rowStep, kStep: kStep, block, k: k, target, ldc: ldc, accumulate)
                    } else {
                        fullTile(
                            FourRows.self, a, rowStep: rowStep, kStep: kStep, block, k: k, target, ldc: ldc, accumulate)
                    }
                }
                if rest > 0 {
                    edge(
                        tileRows: 4, paddedA, rowStep: k, kStep: 1, block, k: k, rows: rest, columns: columns,
                        c + restStart * ldc + j, ldc: ldc, accumulate: accumulate)
                }
            }
        }
    }

    /// A whole tile, with one inlined copy per layout of A, so that each has its unit stride
    /// as a constant (and its height, a type, specialised).
    @inline(__always)
    private static func fullTile<Height: TileHeight>(
        _ height: Height.Type, _ a: UnsafePointer<Float>, rowStep: Int, kStep: Int, _ b: UnsafePointer<Float>, k: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, _ accumulate: Bool
    ) {
        if kStep == 1 {
            tile(height, a, rowStep: rowStep, kStep: 1, b, k: k, c, ldc: ldc, accumulate: accumulate)
        } else if rowStep == 1 {
            tile(height, a, rowStep: 1, kStep: kStep, b, k: k, c, ldc: ldc, accumulate: accumulate)
        } else {
            tile(height, a, rowStep: rowStep, kStep: kStep, b, k: k, c, ldc: ldc, accumulate: accumulate)
        }
    }

    /// A partial tile: a tile of `tileRows` (6 or 4) × 16 computed into scratch, its `rows` ×
    /// `columns` corner copied (or added) into C. A and B must hold the whole tile (padded).
    private static func edge(
        tileRows: Int, _ a: UnsafePointer<Float>, rowStep: Int, kStep: Int, _ b: UnsafePointer<Float>, k: Int,
        rows: Int, columns: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 6 * tileColumns) { scratch in
            let t = scratch.baseAddress!
            if tileRows == 6 {
                tile(SixRows.self, a, rowStep: rowStep, kStep: kStep, b, k: k, t, ldc: tileColumns, accumulate: false)
            } else {
                tile(FourRows.self, a, rowStep: rowStep, kStep: kStep, b, k: k, t, ldc: tileColumns, accumulate: false)
            }
            for i in 0..<rows {
                for j in 0..<columns {
                    let sum = t[i * tileColumns + j]
                    if accumulate { c[i * ldc + j] += sum } else { c[i * ldc + j] = sum }
                }
            }
        }
    }

    /// One tile of C, `Height.rows` (6 or 4) × 16: 2·rows accumulators, per k
    /// two loads of B and `rows` broadcasts of A.
    @inline(__always)
    private static func tile<Height: TileHeight>(
        _ height: Height.Type, _ a: UnsafePointer<Float>, rowStep: Int, kStep: Int, _ b: UnsafePointer<Float>, k: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        var c00 = Vector(), c01 = Vector(), c10 = Vector(), c11 = Vector(), c20 = Vector(), c21 = Vector()
        var c30 = Vector(), c31 = Vector(), c40 = Vector(), c41 = Vector(), c50 = Vector(), c51 = Vector()
        let (r1, r2, r3, r4, r5) = (rowStep, rowStep &* 2, rowStep &* 3, rowStep &* 4, rowStep &* 5)
        var row = UnsafeRawPointer(b)
        var column = a
        for _ in 0..<k {
            let b0 = row.loadUnaligned(as: Vector.self)
            let b1 = row.loadUnaligned(fromByteOffset: 32, as: Vector.self)
            row += 64
            var s = Vector(repeating: column[0])
            c00 = multiplyAdd(s, b0, c00)
            c01 = multiplyAdd(s, b1, c01)
            s = Vector(repeating: column[r1])
            c10 = multiplyAdd(s, b0, c10)
            c11 = multiplyAdd(s, b1, c11)
            s = Vector(repeating: column[r2])
            c20 = multiplyAdd(s, b0, c20)
            c21 = multiplyAdd(s, b1, c21)
            s = Vector(repeating: column[r3])
            c30 = multiplyAdd(s, b0, c30)
            c31 = multiplyAdd(s, b1, c31)
            if Height.rows == 6 {
                s = Vector(repeating: column[r4])
                c40 = multiplyAdd(s, b0, c40)
                c41 = multiplyAdd(s, b1, c41)
                s = Vector(repeating: column[r5])
                c50 = multiplyAdd(s, b0, c50)
                c51 = multiplyAdd(s, b1, c51)
            }
            column += kStep
        }
        store(c00, c01, c, accumulate)
        store(c10, c11, c + ldc, accumulate)
        store(c20, c21, c + 2 &* ldc, accumulate)
        store(c30, c31, c + 3 &* ldc, accumulate)
        if Height.rows == 6 {
            store(c40, c41, c + 4 &* ldc, accumulate)
            store(c50, c51, c + 5 &* ldc, accumulate)
        }
    }

    /// A tile row's 16 sums into C (or added to it).
    @inline(__always)
    private static func store(_ v0: Vector, _ v1: Vector, _ c: UnsafeMutablePointer<Float>, _ accumulate: Bool) {
        let out = UnsafeMutableRawPointer(c)
        if accumulate {
            out.storeBytes(of: out.loadUnaligned(as: Vector.self) + v0, as: Vector.self)
            out.storeBytes(
                of: out.loadUnaligned(fromByteOffset: 32, as: Vector.self) + v1, toByteOffset: 32, as: Vector.self)
        } else {
            out.storeBytes(of: v0, as: Vector.self)
            out.storeBytes(of: v1, toByteOffset: 32, as: Vector.self)
        }
    }

    /// a·b + c lane by lane, fused where the build targets FMA (see `FastMath.multiplyAdd`).
    @inline(__always)
    private static func multiplyAdd(_ a: Vector, _ b: Vector, _ c: Vector) -> Vector {
        #if SCOREKIT_FMA
            c.addingProduct(a, b)
        #else
            a * b + c
        #endif
    }
}

/// The height of a register tile, a type so that every tile function is specialised for it: a
/// height passed as a value left a comparison inside the loop over k.
private protocol TileHeight { static var rows: Int { get } }
private enum SixRows: TileHeight { static var rows: Int { 6 } }
private enum FourRows: TileHeight { static var rows: Int { 4 } }
