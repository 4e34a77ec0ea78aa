public import ScoreKitCore

extension EDMSDE {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// σ_min, the data end of the range (`sigma_min` of EDM, 0.002).
        public var sigmaMin = 0.002
        /// σ_max, the prior end of the range and the prior's standard deviation (80).
        public var sigmaMax = 80.0

        public init() {}

        public func validate() throws(ConfigurationError) {
            try validateNoiseLevels(sigmaMin: sigmaMin, sigmaMax: sigmaMax)
        }
    }
}

extension EDMSDE: RegisteredComponent {
    public static let id: ComponentID = "edm"
    public static let summary = "EDM process x + σε with t = σ (Karras et al. 2022)"
}
