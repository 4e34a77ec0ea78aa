public import ScoreKitCore

/// A fully connected layer `y = x·Wᵀ + b` (PyTorch's `nn.Linear` layout: W is `[out, in]`).
///
/// Its parameters live in the owning model's `ParameterSet` under `<name>.weight` and
/// `<name>.bias`; the layer only knows where.
public struct Linear: Sendable, Equatable {
    /// The parameter name prefix, such as `l1`.
    public let name: String
    public let inputCount: Int
    public let outputCount: Int

    public init(name: String, inputCount: Int, outputCount: Int) {
        precondition(
            inputCount > 0 && outputCount > 0, "Linear '\(name)' needs positive sizes, got \(inputCount)→\(outputCount)"
        )
        self.name = name
        self.inputCount = inputCount
        self.outputCount = outputCount
    }

    /// The layer's parameters initialised as PyTorch does: W and b uniform in ±1/√in
    /// (Kaiming-uniform with a = √5), or zeros when `zeroInitialized` (for output layers).
    public func initialParameters(stream: inout RandomStream, zeroInitialized: Bool = false) -> [(String, Tensor)] {
        if zeroInitialized {
            return [
                ("\(name).weight", Tensor.zeros([outputCount, inputCount])),
                ("\(name).bias", Tensor.zeros([outputCount])),
            ]
        }
        let bound = Float(1 / Double(inputCount).squareRoot())
        func uniform(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape) { buffer in
                stream.fillUniform(buffer)
                for i in buffer.indices { buffer[i] = (2 * buffer[i] - 1) * bound }
            }
        }
        return [("\(name).weight", uniform([outputCount, inputCount])), ("\(name).bias", uniform([outputCount]))]
    }

    /// x·Wᵀ + b with the weights found in `parameters` at `index` (weight) and `index + 1` (bias).
    @inline(__always)
    public func callAsFunction(_ x: Tensor, _ parameters: ParameterSet, at index: Int) -> Tensor {
        Tensor.linear(x, weight: parameters.tensors[index], bias: parameters.tensors[index + 1])
    }

    /// activation(x·Wᵀ + b); SiLU runs fused with the affine map (`Tensor.linearSiLU`).
    @inline(__always)
    public func callAsFunction(
        _ x: Tensor, _ parameters: ParameterSet, at index: Int, activation: Activation
    ) -> Tensor {
        let (weight, bias) = (parameters.tensors[index], parameters.tensors[index + 1])
        switch activation {
        case .silu: return Tensor.linearSiLU(x, weight: weight, bias: bias)
        default: return activation(Tensor.linear(x, weight: weight, bias: bias))
        }
    }
}
