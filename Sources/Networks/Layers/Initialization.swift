public import ScoreKitCore

/// How a layer's weights start, chosen by configuration (`initialization: xavierUniform`).
///
/// For a weight W of shape [out, in] (fan_in = in, fan_out = out):
///
/// ```
/// pytorchDefault   W, b ~ U(−1/√fan_in, 1/√fan_in)                 (nn.Linear's reset_parameters:
///                                                                   Kaiming-uniform with a = √5)
/// xavierUniform    W ~ U(−a, a),  a = √(6/(fan_in + fan_out)),  b = 0      (Glorot & Bengio 2010)
/// xavierNormal     W ~ N(0, 2/(fan_in + fan_out)),  b = 0
/// zero             W = 0,  b = 0                                    (output layers, residual branches)
/// ```
/// `xavierUniform` is DDPM's and score_sde's `default_init()` (variance scaling 1, fan_avg,
/// uniform). `zero` makes a layer output 0 at the start, so a residual block starts as the
/// identity and a network's first prediction is 0 (as DDPM's `scale=1e-10` and EDM's
/// `init_weight=0` do for the last layers).
public enum Initialization: String, Codable, Sendable, CaseIterable {
    case pytorchDefault
    case xavierUniform
    case xavierNormal
    case zero
}

extension Linear {
    /// The layer's weight and bias under `initialization`, drawn from `stream`.
    ///
    /// `pytorchDefault` draws exactly as `initialParameters(stream:zeroInitialized:)` does (W,
    /// then b); the Xavier schemes draw W only; `zero` draws nothing.
    public func initialParameters(stream: inout RandomStream, initialization: Initialization) -> [(String, Tensor)] {
        let (fanIn, fanOut) = (Double(inputCount), Double(outputCount))
        switch initialization {
        case .pytorchDefault:
            return initialParameters(stream: &stream, zeroInitialized: false)
        case .zero:
            return initialParameters(stream: &stream, zeroInitialized: true)
        case .xavierUniform:
            let bound = Float((6 / (fanIn + fanOut)).squareRoot())
            let weight = Tensor(shape: [outputCount, inputCount]) { buffer in
                stream.fillUniform(buffer)
                for i in buffer.indices { buffer[i] = (2 * buffer[i] - 1) * bound }
            }
            return [("\(name).weight", weight), ("\(name).bias", Tensor.zeros([outputCount]))]
        case .xavierNormal:
            let deviation = Float((2 / (fanIn + fanOut)).squareRoot())
            let weight = Tensor(shape: [outputCount, inputCount]) { buffer in
                stream.fillNormal(buffer)
                for i in buffer.indices { buffer[i] *= deviation }
            }
            return [("\(name).weight", weight), ("\(name).bias", Tensor.zeros([outputCount]))]
        }
    }
}
