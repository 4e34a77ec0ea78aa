/// 2-D convolutions over NCHW images.
///
/// Three primitive operations close under differentiation: the convolution y = conv(x, w), its
/// input gradient convᵀ(g, w) (the transposed convolution) and its weight gradient
/// x ⋆ g. Each one's backward is written with the other two, so gradients of gradients (and
/// further) are exact:
///
/// ```
/// y = conv(x, w)          ∂x = convᵀ(g, w)        ∂w = x ⋆ g
/// z = convᵀ(g, w)         ∂g = conv(u, w)         ∂w = u ⋆ g
/// v = x ⋆ g               ∂x = convᵀ(g, u)        ∂g = conv(x, u)
/// ```
/// (u is the output gradient of the second and third operations).
extension Tensor {
    /// The 2-D cross-correlation of PyTorch's `conv2d`: x [N, C_in, H, W] and a weight
    /// [C_out, C_in/groups, k_h, k_w] give [N, C_out, H_out, W_out].
    ///
    /// ```
    /// y[n, o, i, j] = b[o] + Σ_{c ∈ group(o), a, e} w[o, c, a, e]·x[n, c, S·i − P + a, S·j − P + e]
    /// H_out = ⌊(H + 2P − k_h)/S⌋ + 1,   W_out likewise           (x is 0 outside the image)
    /// ```
    /// Output channel o sees the input channels of its group (`groups` G splits both channel
    /// counts into G equal parts; G = C_in = C_out is a depthwise convolution). Stride-1,
    /// one-group convolutions that keep the image's size (3 × 3 with padding 1, 1 × 1) run
    /// directly on the image, forward and input gradient; the others as one sgemm per group and
    /// chunk of samples on the unfolded input (im2col). Differentiable to any order in x, w and b.
    ///
    /// - Parameters:
    ///   - stride: S, the step between output positions, in both directions.
    ///   - padding: P, the zeros added on every side.
    ///   - groups: G; must divide C_in and C_out.
    public static func convolution(
        _ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0, groups: Int = 1
    ) -> Tensor {
        precondition(
            x.rank == 4 && weight.rank == 4,
            "convolution needs x [N, C, H, W] and a 4-D weight, got \(x.shape), \(weight.shape)")
        let geometry = ConvolutionGeometry(
            batch: x.shape[0], inputChannels: x.shape[1], height: x.shape[2], width: x.shape[3],
            outputChannels: weight.shape[0], kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
            stride: stride, padding: padding, groups: groups)
        precondition(
            weight.shape == geometry.weightShape,
            "convolution: weight \(weight.shape) does not fit x \(x.shape) with \(groups) groups (expected \(geometry.weightShape))"
        )
        if let bias {
            precondition(
                bias.shape == [weight.shape[0]], "convolution: bias \(bias.shape) should be [\(weight.shape[0])]")
        }
        return convolved(x, weight, bias, geometry)
    }

    /// The transposed convolution of PyTorch's `conv_transpose2d` (the gradient of `convolution`
    /// with respect to its input): x [N, C_in, H, W] and a weight [C_in, C_out/groups, k_h, k_w]
    /// give [N, C_out, H_out, W_out].
    ///
    /// ```
    /// H_out = (H − 1)·S − 2P + k_h + outputPadding,   W_out likewise
    /// ```
    /// Sometimes called "deconvolution"; it upsamples by S. `outputPadding` (< S) picks among
    /// the output sizes that a stride-S convolution maps to H. Differentiable to any order.
    public static func transposedConvolution(
        _ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
        groups: Int = 1
    ) -> Tensor {
        precondition(
            x.rank == 4 && weight.rank == 4,
            "transposedConvolution needs x [N, C, H, W] and a 4-D weight, got \(x.shape), \(weight.shape)")
        precondition(
            outputPadding >= 0 && outputPadding < Swift.max(stride, 1),
            "transposedConvolution: outputPadding \(outputPadding) must be in 0..<stride (\(stride))")
        let (kh, kw) = (weight.shape[2], weight.shape[3])
        let geometry = ConvolutionGeometry(
            batch: x.shape[0], inputChannels: weight.shape[1] * groups,
            height: (x.shape[2] - 1) * stride - 2 * padding + kh + outputPadding,
            width: (x.shape[3] - 1) * stride - 2 * padding + kw + outputPadding,
            outputChannels: x.shape[1], kernelHeight: kh, kernelWidth: kw, stride: stride, padding: padding,
            groups: groups)
        precondition(
            weight.shape == geometry.weightShape && geometry.outputShape == x.shape,
            "transposedConvolution: weight \(weight.shape) does not fit x \(x.shape) with \(groups) groups")
        let y = convolutionInputGradient(x, weight, geometry)
        guard let bias else { return y }
        precondition(
            bias.shape == [geometry.inputChannels],
            "transposedConvolution: bias \(bias.shape) should be [\(geometry.inputChannels)]")
        return y + bias.reshaped([1, geometry.inputChannels, 1, 1])
    }

    /// conv(x, w) + b, recorded with the input and weight gradients as its backward.
    static func convolved(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ geometry: ConvolutionGeometry) -> Tensor {
        let result = Tensor(shape: geometry.outputShape) { out in
            ConvolutionKernels.forward(
                geometry, x: x.storage.base, weight: w.storage.base, bias: b.map { UnsafePointer($0.storage.base) },
                out: out.baseAddress!)
        }
        let inputs = b.map { [x, w, $0] } ?? [x, w]
        return Autodiff.nary(inputs, result: result) { g, needed in
            var grads: [Tensor?] = [
                needed[0] ? convolutionInputGradient(g, w, geometry) : nil,
                needed[1] ? convolutionWeightGradient(x, g, geometry) : nil,
            ]
            if needed.count == 3 {
                let shape = geometry.outputShape
                grads.append(
                    needed[2]
                        ? g.reshaped([shape[0], shape[1], shape[2] * shape[3]]).sum(alongAxis: 2).sum(alongAxis: 0)
                        : nil)
            }
            return grads
        }
    }

    /// convᵀ(g, w): the input gradient of a convolution for the output gradient g.
    static func convolutionInputGradient(_ g: Tensor, _ w: Tensor, _ geometry: ConvolutionGeometry) -> Tensor {
        precondition(g.shape == geometry.outputShape, "convolution gradient shape \(g.shape) ≠ \(geometry.outputShape)")
        let result = Tensor(shape: geometry.inputShape) { out in
            ConvolutionKernels.inputGradient(
                geometry, outputGradient: g.storage.base, weight: w.storage.base, out: out.baseAddress!)
        }
        return Autodiff.binary(g, w, result: result) { u, needG, needW in
            (
                needG ? convolved(u, w, nil, geometry) : nil,
                needW ? convolutionWeightGradient(u, g, geometry) : nil
            )
        }
    }

    /// x ⋆ g: the weight gradient of a convolution for the input x and the output gradient g.
    static func convolutionWeightGradient(_ x: Tensor, _ g: Tensor, _ geometry: ConvolutionGeometry) -> Tensor {
        let result = Tensor(shape: geometry.weightShape) { out in
            ConvolutionKernels.weightGradient(
                geometry, x: x.storage.base, outputGradient: g.storage.base, out: out.baseAddress!)
        }
        return Autodiff.binary(x, g, result: result) { u, needX, needG in
            (
                needX ? convolutionInputGradient(g, u, geometry) : nil,
                needG ? convolved(x, u, nil, geometry) : nil
            )
        }
    }
}
