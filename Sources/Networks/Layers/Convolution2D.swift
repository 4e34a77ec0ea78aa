public import ScoreKitCore

/// A 2-D convolution layer over NCHW images (PyTorch's `nn.Conv2d` layout: the weight is
/// `[out, in/groups, k, k]`).
///
/// Its parameters live in the owning model's `ParameterSet` under `<name>.weight` and
/// `<name>.bias`; the layer only knows where. Runs `Tensor.convolution`.
public struct Convolution2D: Sendable, Equatable {
    /// The parameter name prefix, such as `down.0.conv1`.
    public let name: String
    public let inputChannels: Int
    public let outputChannels: Int
    /// k, the side of the square kernel.
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let groups: Int

    /// A k×k convolution; `padding` defaults to ⌊k/2⌋, which keeps the image size at stride 1.
    public init(
        name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int? = nil,
        groups: Int = 1
    ) {
        precondition(
            inputChannels > 0 && outputChannels > 0 && kernelSize > 0 && stride > 0 && groups > 0
                && inputChannels % groups == 0 && outputChannels % groups == 0,
            "Convolution2D '\(name)': invalid sizes \(inputChannels)→\(outputChannels), k \(kernelSize), G \(groups)")
        self.name = name
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding ?? kernelSize / 2
        self.groups = groups
    }

    /// The weight's shape [out, in/groups, k, k].
    public var weightShape: [Int] { [outputChannels, inputChannels / groups, kernelSize, kernelSize] }

    /// Weight and bias under `initialization`, with fan_in = in/groups·k² and fan_out = out/groups·k²
    /// (`pytorchDefault`: both uniform in ±1/√fan_in, as `nn.Conv2d`).
    public func initialParameters(stream: inout RandomStream, initialization: Initialization) -> [(String, Tensor)] {
        let area = Double(kernelSize * kernelSize)
        let fanIn = Double(inputChannels / groups) * area
        let fanOut = Double(outputChannels / groups) * area
        func uniform(_ shape: [Int], _ bound: Double) -> Tensor {
            Tensor(shape: shape) { buffer in
                stream.fillUniform(buffer)
                for i in buffer.indices { buffer[i] = (2 * buffer[i] - 1) * Float(bound) }
            }
        }
        let zeroBias = Tensor.zeros([outputChannels])
        switch initialization {
        case .pytorchDefault:
            let bound = 1 / fanIn.squareRoot()
            return [
                ("\(name).weight", uniform(weightShape, bound)), ("\(name).bias", uniform([outputChannels], bound)),
            ]
        case .zero:
            return [("\(name).weight", Tensor.zeros(weightShape)), ("\(name).bias", zeroBias)]
        case .xavierUniform:
            return [
                ("\(name).weight", uniform(weightShape, (6 / (fanIn + fanOut)).squareRoot())),
                ("\(name).bias", zeroBias),
            ]
        case .xavierNormal:
            let deviation = Float((2 / (fanIn + fanOut)).squareRoot())
            let weight = Tensor(shape: weightShape) { buffer in
                stream.fillNormal(buffer)
                for i in buffer.indices { buffer[i] *= deviation }
            }
            return [("\(name).weight", weight), ("\(name).bias", zeroBias)]
        }
    }

    /// The convolution of `x` [N, in, H, W] with the weights at `parameters.tensors[index]` and `index + 1`.
    @inline(__always)
    public func callAsFunction(_ x: Tensor, _ parameters: ParameterSet, at index: Int) -> Tensor {
        Tensor.convolution(
            x, weight: parameters.tensors[index], bias: parameters.tensors[index + 1], stride: stride,
            padding: padding, groups: groups)
    }
}
