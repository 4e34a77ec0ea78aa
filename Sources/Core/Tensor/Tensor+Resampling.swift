/// Up- and downsampling of NCHW images.
extension Tensor {
    /// Nearest-neighbour upsampling by a whole factor f: [N, C, H, W] → [N, C, f·H, f·W].
    ///
    /// ```
    /// y[n, c, i, j] = x[n, c, ⌊i/f⌋, ⌊j/f⌋]
    /// ```
    /// PyTorch's `interpolate(x, scale_factor=f, mode="nearest")`. Its gradient is the sum over
    /// each f×f block (`blockSum`), whose gradient is this upsampling again, so it
    /// differentiates to any order.
    public func upsampledNearest(factor: Int) -> Tensor {
        precondition(rank == 4, "upsampledNearest needs [N, C, H, W], got \(shape)")
        precondition(factor >= 1, "upsampledNearest needs a factor ≥ 1, got \(factor)")
        if factor == 1 { return self }
        let (h, w) = (shape[2], shape[3])
        let planes = shape[0] * shape[1]
        let result = Tensor(shape: [shape[0], shape[1], h * factor, w * factor]) { out in
            ResamplingKernels.upsampleNearest(
                storage.base, out.baseAddress!, planes: planes, height: h, width: w, factor: factor)
        }
        return Autodiff.unary(self, result: result) { g in g.blockSum(factor: factor) }
    }

    /// The sum of each f×f block: [N, C, f·H, f·W] → [N, C, H, W]; the adjoint of `upsampledNearest`.
    ///
    /// ```
    /// y[n, c, i, j] = Σ_{a, b < f} x[n, c, f·i + a, f·j + b]
    /// ```
    public func blockSum(factor: Int) -> Tensor {
        precondition(rank == 4, "blockSum needs [N, C, H, W], got \(shape)")
        precondition(
            factor >= 1 && shape[2] % factor == 0 && shape[3] % factor == 0,
            "blockSum: factor \(factor) must divide the image size \(shape[2])×\(shape[3])")
        if factor == 1 { return self }
        let (h, w) = (shape[2] / factor, shape[3] / factor)
        let planes = shape[0] * shape[1]
        let result = Tensor(shape: [shape[0], shape[1], h, w]) { out in
            ResamplingKernels.sumPool(
                storage.base, out.baseAddress!, planes: planes, height: h, width: w, factor: factor)
        }
        return Autodiff.unary(self, result: result) { g in g.upsampledNearest(factor: factor) }
    }

    /// Average pooling over k×k windows: PyTorch's `avg_pool2d(x, k, stride, padding)` with
    /// `count_include_pad=True` (padded zeros count in the mean) and `ceil_mode=False`.
    ///
    /// ```
    /// y[n, c, i, j] = (1/k²)·Σ_{a, b < k} x[n, c, S·i − P + a, S·j − P + b]
    /// ```
    /// `stride` defaults to k. Non-overlapping windows that tile the image (S = k, P = 0, k
    /// divides H and W) run as `blockSum`/k², the usual 2× downsampling of a U-Net; any other
    /// window is a depthwise convolution with the constant weight 1/k². Differentiable to any order.
    public func averagePooled(size: Int, stride: Int? = nil, padding: Int = 0) -> Tensor {
        precondition(rank == 4, "averagePooled needs [N, C, H, W], got \(shape)")
        let stride = stride ?? size
        precondition(
            size >= 1 && stride >= 1 && padding >= 0,
            "averagePooled: size \(size), stride \(stride), padding \(padding)")
        precondition(padding <= size / 2, "averagePooled: padding \(padding) exceeds half the window \(size)")
        let scale = 1 / Float(size * size)
        if stride == size && padding == 0 && shape[2] % size == 0 && shape[3] % size == 0 {
            return blockSum(factor: size) * scale
        }
        let channels = shape[1]
        let weight = Tensor.full([channels, 1, size, size], scale)
        return Tensor.convolution(self, weight: weight, stride: stride, padding: padding, groups: channels)
    }
}
