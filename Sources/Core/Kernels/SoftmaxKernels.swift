/// Softmax over the last axis of a row-major array seen as [rows, length].
enum SoftmaxKernels {
    /// y[r, :] = exp(x[r, :] − max) / Σ exp(x[r, :] − max). `y` may equal `x`.
    static func softmax(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, length: Int) {
        guard length > 0 else { return }
        for r in 0..<rows {
            let src = x + r * length
            let dst = y + r * length
            var largest = src[0]
            for i in 1..<length where src[i] > largest || src[i].isNaN { largest = src[i] }
            var total: Float = 0
            for i in 0..<length {
                let e = FastMath.exp(src[i] - largest)
                dst[i] = e
                total += e
            }
            let scale = 1 / total
            for i in 0..<length { dst[i] *= scale }
        }
    }

    /// gx[r, :] = y[r, :]·(g[r, :] − Σᵢ g[r, i]·y[r, i]): softmax's backward from its output.
    static func softmaxBackward(
        _ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ gx: UnsafeMutablePointer<Float>, rows: Int, length: Int
    ) {
        for r in 0..<rows {
            let (yr, gr, out) = (y + r * length, g + r * length, gx + r * length)
            var dot: Float = 0
            for i in 0..<length { dot += yr[i] * gr[i] }
            for i in 0..<length { out[i] = yr[i] * (gr[i] - dot) }
        }
    }
}
