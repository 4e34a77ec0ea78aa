extension Tensor {
    /// Dynamic thresholding (Saharia et al. 2022, Imagen §2.3; diffusers' `_threshold_sample`), row
    /// by row (the first axis is the samples).
    ///
    /// ```
    /// s = clamp(quantile_p(|x_row|), 1, maximum),   x_row ← clamp(x_row, −s, s)/s
    /// ```
    /// The quantile interpolates linearly between order statistics (NumPy's and torch's default).
    /// Not differentiable: sampling post-processing.
    /// A `maximum` below 1 is the threshold itself (torch's `clamp(q, min=1, max=r)` gives r).
    /// - Precondition: 0 ≤ `percentile` ≤ 1 and `maximum` > 0.
    public func thresholdedRows(percentile: Double, maximum: Double) -> Tensor {
        precondition((0...1).contains(percentile), "a percentile in [0, 1], got \(percentile)")
        precondition(maximum > 0, "a maximum > 0, got \(maximum)")
        let rows = shape.first ?? 1
        let width = rows == 0 ? 0 : scalarCount / rows
        let values = scalars
        return Tensor(shape: shape) { out in
            var magnitudes = [Float](repeating: 0, count: width)
            for r in 0..<rows {
                let row = (r * width)..<((r + 1) * width)
                for (j, i) in row.enumerated() { magnitudes[j] = Swift.abs(values[i]) }
                magnitudes.sort()
                let position = percentile * Double(Swift.max(width - 1, 0))
                let below = Int(position.rounded(.down))
                let above = Swift.min(below + 1, Swift.max(width - 1, 0))
                let fraction = position - Double(below)
                let quantile =
                    width == 0
                    ? 0 : Double(magnitudes[below]) + fraction * Double(magnitudes[above] - magnitudes[below])
                let s = Float(Swift.min(Swift.max(quantile, 1), maximum))
                for i in row { out[i] = Swift.min(Swift.max(values[i], -s), s) / s }
            }
        }
    }
}
