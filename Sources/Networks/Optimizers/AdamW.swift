public import ScoreKitCore

/// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, registered under its own
/// name with PyTorch's default decay.
///
/// ```
/// θ ← θ·(1 − ηλ) − η·m̂/(√v̂ + ε)
/// ```
/// The same update as `Adam` with `weightDecay` λ > 0 (`optimizer: { kind: adam, weightDecay:
/// 0.01 }` is identical); this id exists so that a recipe reads like the papers and like
/// `torch.optim.AdamW`, whose default λ is 0.01. Not Adam with L2 regularisation (λθ added to the
/// gradient), which behaves differently with adaptive step sizes.
public struct AdamW: Optimizer {
    /// The update rule.
    public let adam: Adam

    public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0.01) {
        adam = Adam(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    public func initialState(for parameters: ParameterSet) -> Adam.State {
        adam.initialState(for: parameters)
    }

    public func update(
        _ parameters: inout ParameterSet, gradients: [Tensor], state: inout Adam.State, learningRate: Double
    ) {
        adam.update(&parameters, gradients: gradients, state: &state, learningRate: learningRate)
    }
}

extension AdamW {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// β₁, the first-moment decay.
        public var beta1 = 0.9
        /// β₂, the second-moment decay.
        public var beta2 = 0.999
        /// ε, added to the root of the second moment.
        public var epsilon = 1e-8
        /// λ, decoupled weight decay (PyTorch's AdamW default, 0.01).
        public var weightDecay = 0.01

        public init() {}

        public func validate() throws(ConfigurationError) {
            var adam = Adam.Configuration()
            adam.beta1 = beta1
            adam.beta2 = beta2
            adam.epsilon = epsilon
            adam.weightDecay = weightDecay
            try adam.validate()
        }
    }

    public init(configuration: Configuration) {
        self.init(
            beta1: configuration.beta1, beta2: configuration.beta2, epsilon: configuration.epsilon,
            weightDecay: configuration.weightDecay)
    }
}

extension AdamW: RegisteredComponent {
    public static let id: ComponentID = "adamw"
    public static let summary = "AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, default λ = 0.01"
}
