import Foundation
public import ScoreKitCore

/// Adam (Kingma & Ba 2015) and, with `decoupledWeightDecay`, AdamW (Loshchilov & Hutter 2019).
///
/// ```
/// m ← β₁m + (1 − β₁)g        v ← β₂v + (1 − β₂)g²
/// θ ← θ − η·[ m/(1 − β₁ᵗ) / (√(v/(1 − β₂ᵗ)) + ε) + λθ ]     (λθ only for AdamW)
/// ```
/// Matches `torch.optim.Adam`/`AdamW` with the same hyperparameters, including where ε is added.
public struct Adam: Optimizer {
    /// β₁.
    public var beta1: Double
    /// β₂.
    public var beta2: Double
    /// ε.
    public var epsilon: Double
    /// λ, decoupled weight decay (AdamW); 0 gives plain Adam.
    public var weightDecay: Double

    public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// First and second moments and the step count.
    public struct State: OptimizerState {
        public var firstMoments: [Tensor]
        public var secondMoments: [Tensor]
        public var stepCount: Int
        let names: [String]

        public var tensors: [(name: String, tensor: Tensor)] {
            zip(names, firstMoments).map { ("adam.m.\($0)", $1) }
                + zip(names, secondMoments).map { ("adam.v.\($0)", $1) }
        }
    }

    public func initialState(for parameters: ParameterSet) -> State {
        State(
            firstMoments: parameters.tensors.map { Tensor.zeros($0.shape) },
            secondMoments: parameters.tensors.map { Tensor.zeros($0.shape) },
            stepCount: 0, names: parameters.names)
    }

    public func update(_ parameters: inout ParameterSet, gradients: [Tensor], state: inout State, learningRate: Double)
    {
        precondition(
            gradients.count == parameters.tensors.count,
            "\(gradients.count) gradients for \(parameters.tensors.count) parameters")
        state.stepCount += 1
        let t = Double(state.stepCount)
        let b1 = Float(beta1)
        let b2 = Float(beta2)
        let stepSize = Float(learningRate / (1 - Foundation.pow(beta1, t)))
        let secondCorrection = Float(1 / (1 - Foundation.pow(beta2, t)).squareRoot())
        let eps = Float(epsilon)
        let decay = Float(1 - learningRate * weightDecay)
        for i in parameters.tensors.indices {
            precondition(
                gradients[i].shape == parameters.tensors[i].shape,
                "gradient \(i) has shape \(gradients[i].shape), parameter \(parameters.tensors[i].shape)")
        }
        OptimizerKernels.adam(
            parameters: &parameters.tensors, gradients: gradients, first: &state.firstMoments,
            second: &state.secondMoments,
            .init(
                beta1: b1, beta2: b2, stepSize: stepSize, secondCorrection: secondCorrection, epsilon: eps,
                decay: decay))
    }
}
