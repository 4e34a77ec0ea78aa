public import ScoreKitCore

/// Stochastic gradient descent with optional momentum (heavy ball or Nesterov) and L2 weight decay.
///
/// ```
/// g ← g + λθ                              (coupled weight decay, `weightDecay`)
/// b ← μ·b + g                             (b₀ = 0, so b₁ = g)
/// θ ← θ − η·b                             (heavy ball, Polyak 1964)
/// θ ← θ − η·(g + μ·b)                     (Nesterov, as Sutskever et al. 2013)
/// ```
/// Matches `torch.optim.SGD(lr, momentum=μ, weight_decay=λ, nesterov=…)` with dampening 0.
/// With μ = 0 it is plain SGD and keeps no state.
public struct StochasticGradientDescent: Optimizer {
    /// μ, the momentum coefficient.
    public var momentum: Double
    /// Whether the update looks ahead along the momentum (Nesterov).
    public var nesterov: Bool
    /// λ, L2 weight decay added to the gradient (not decoupled: see `adamw` for that).
    public var weightDecay: Double

    public init(momentum: Double = 0, nesterov: Bool = false, weightDecay: Double = 0) {
        precondition(momentum >= 0 && momentum < 1, "SGD momentum must be in [0, 1), got \(momentum)")
        precondition(!nesterov || momentum > 0, "Nesterov momentum needs momentum > 0")
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    /// The momentum buffers (empty for μ = 0) and the step count.
    public struct State: OptimizerState {
        public var momentumBuffers: [Tensor]
        public var stepCount: Int
        let names: [String]

        public var tensors: [(name: String, tensor: Tensor)] {
            zip(names, momentumBuffers).map { ("sgd.momentum.\($0)", $1) }
        }
    }

    public func initialState(for parameters: ParameterSet) -> State {
        State(
            momentumBuffers: momentum > 0 ? parameters.tensors.map { Tensor.zeros($0.shape) } : [],
            stepCount: 0, names: parameters.names)
    }

    public func update(_ parameters: inout ParameterSet, gradients: [Tensor], state: inout State, learningRate: Double)
    {
        precondition(
            gradients.count == parameters.tensors.count,
            "\(gradients.count) gradients for \(parameters.tensors.count) parameters")
        state.stepCount += 1
        let (eta, mu, decay) = (Float(learningRate), Float(momentum), Float(weightDecay))
        for i in parameters.tensors.indices {
            precondition(
                gradients[i].shape == parameters.tensors[i].shape,
                "gradient \(i) has shape \(gradients[i].shape), parameter \(parameters.tensors[i].shape)")
            gradients[i].withUnsafeBufferPointer { g in
                parameters.tensors[i].withUnsafeMutableBufferPointer { p in
                    guard mu > 0 else {
                        for k in 0..<p.count { p[k] -= eta * (g[k] + decay * p[k]) }
                        return
                    }
                    state.momentumBuffers[i].withUnsafeMutableBufferPointer { b in
                        for k in 0..<p.count {
                            let gk = g[k] + decay * p[k]
                            let bk = mu * b[k] + gk
                            b[k] = bk
                            p[k] -= eta * (nesterov ? gk + mu * bk : bk)
                        }
                    }
                }
            }
        }
    }
}

extension StochasticGradientDescent {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// μ, the momentum coefficient (0: plain SGD).
        public var momentum = 0.0
        /// Nesterov momentum (needs momentum > 0).
        public var nesterov = false
        /// λ, L2 weight decay added to the gradient.
        public var weightDecay = 0.0

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard (0..<1).contains(momentum) else {
                throw .outOfRange(key: "momentum", value: "\(momentum)", expected: "a number in [0, 1)")
            }
            guard !nesterov || momentum > 0 else {
                throw .outOfRange(key: "nesterov", value: "true", expected: "false unless momentum > 0")
            }
            guard weightDecay >= 0 else {
                throw .outOfRange(key: "weightDecay", value: "\(weightDecay)", expected: "a number ≥ 0")
            }
        }
    }

    public init(configuration: Configuration) {
        self.init(
            momentum: configuration.momentum, nesterov: configuration.nesterov, weightDecay: configuration.weightDecay)
    }
}

extension StochasticGradientDescent: RegisteredComponent {
    public static let id: ComponentID = "sgd"
    public static let summary = "SGD with optional heavy-ball or Nesterov momentum and L2 weight decay"
}
