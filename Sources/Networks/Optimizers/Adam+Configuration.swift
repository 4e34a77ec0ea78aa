public import ScoreKitCore

extension Adam {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// β₁, the first-moment decay.
        public var beta1 = 0.9
        /// β₂, the second-moment decay.
        public var beta2 = 0.999
        /// ε, added to the root of the second moment.
        public var epsilon = 1e-8
        /// λ, decoupled weight decay (AdamW when > 0).
        public var weightDecay = 0.0

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard (0..<1).contains(beta1) else {
                throw .outOfRange(key: "beta1", value: "\(beta1)", expected: "a number in [0, 1)")
            }
            guard (0..<1).contains(beta2) else {
                throw .outOfRange(key: "beta2", value: "\(beta2)", expected: "a number in [0, 1)")
            }
            guard epsilon > 0 else { throw .outOfRange(key: "epsilon", value: "\(epsilon)", expected: "a number > 0") }
            guard weightDecay >= 0 else {
                throw .outOfRange(key: "weightDecay", value: "\(weightDecay)", expected: "a number ≥ 0")
            }
        }
    }

    public init(configuration: Configuration) {
        self.init(
            beta1: configuration.beta1, beta2: configuration.beta2, epsilon: configuration.epsilon,
            weightDecay: configuration.weightDecay)
    }
}

extension Adam: RegisteredComponent {
    public static let id: ComponentID = "adam"
    public static let summary = "Adam (Kingma & Ba 2015); AdamW with weightDecay > 0"
}
