public import ScoreKitCore

extension CosineSDE {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// s, the small offset that keeps β finite near t = 0 (0.008 in improved DDPM).
        public var offset = 0.008
        /// ε, the data end of the time range.
        public var minimumTime = 1e-5
        /// T < 1, the prior end of the time range (DPM-Solver's 0.9946; α(1) = 0).
        public var maximumTime = 0.9946

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard offset >= 0, offset.isFinite else {
                throw .outOfRange(key: "offset", value: "\(offset)", expected: "a finite number ≥ 0")
            }
            guard maximumTime < 1, maximumTime > 0 else {
                throw .outOfRange(key: "maximumTime", value: "\(maximumTime)", expected: "a number > 0 and < 1")
            }
            try validateMinimumTime(minimumTime, below: maximumTime)
        }
    }
}

extension CosineSDE: RegisteredComponent {
    public static let id: ComponentID = "cosine"
    public static let summary = "VP process with the cosine schedule of improved DDPM (Nichol & Dhariwal 2021)"
}
