public import ScoreKitCore

extension LinearInterpolantSDE {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// ε ≥ 0, the data end of the time range.
        public var minimumTime = 1e-5
        /// T < 1, the noise end of the time range (1 − rectified flow's `eps` of 1e-3).
        public var maximumTime = 0.999

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard maximumTime < 1, maximumTime > 0 else {
                throw .outOfRange(key: "maximumTime", value: "\(maximumTime)", expected: "a number > 0 and < 1")
            }
            try validateMinimumTime(minimumTime, below: maximumTime, allowingZero: true)
        }
    }
}

extension LinearInterpolantSDE: RegisteredComponent {
    public static let id: ComponentID = "linear-interpolant"
    public static let summary = "Linear interpolant (1 − t)x₀ + tε of rectified flow / flow matching"
}
