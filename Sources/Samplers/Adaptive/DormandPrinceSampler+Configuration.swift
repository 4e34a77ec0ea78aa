public import ScoreKitCore

extension DormandPrinceSampler {
    /// The tolerances and controller settings (see `StepSizeControl` for the formulas).
    public struct Configuration: ComponentConfiguration, Equatable {
        /// rtol, the relative tolerance (scipy's and score_sde's `rtol`).
        public var rtol = 1e-5
        /// atol, the absolute tolerance (scipy's and score_sde's `atol`).
        public var atol = 1e-5
        /// The factor on the optimal step size.
        public var safety = 0.9
        /// The smallest factor by which one step changes the step size.
        public var minimumFactor = 0.2
        /// The largest factor by which one accepted step grows it.
        public var maximumFactor = 10.0
        /// kP, the proportional coefficient (diffrax's `pcoeff`; 0 is the standard controller).
        public var proportionalCoefficient = 0.0
        /// kI, the integral coefficient (diffrax's `icoeff`).
        public var integralCoefficient = 1.0
        /// Whether accepted steps after the first are limited by Gustafsson's predictive factor,
        /// which extrapolates the error's trend (`StepSizeControl.predictive`; false gives
        /// scipy's and diffrax's controller).
        public var predictive = true
        /// The variable the steps are taken in: `time` (t, as scipy and diffrax) or
        /// `logSignalToNoiseRatio` (λ = log(α²/σ²); see `AdaptiveTimeVariable`). The step-size
        /// keys below are in this variable.
        public var timeVariable = AdaptiveTimeVariable.time
        /// The first step's size in t; 0 selects it automatically (Hairer's estimate, one evaluation).
        public var initialStepSize = 0.0
        /// The smallest step size in t allowed before the end; below it the run fails.
        public var minimumStepSize = 0.0
        /// The largest step size in t.
        public var maximumStepSize = Double.infinity
        /// The most model evaluations one sample may use before the run fails.
        public var maximumEvaluationCount = 10_000
        /// `perSample` (every sample its own steps: results never depend on the batch) or `batch`
        /// (one step size and one error norm over the batch, as score_sde and diffrax).
        public var stepControl = StepControlScope.perSample

        public init() {}

        public func validate() throws(ConfigurationError) {
            try requireAtLeast(rtol, 0, key: "rtol")
            try requireAtLeast(atol, 0, key: "atol")
            guard rtol > 0 || atol > 0 else {
                throw .outOfRange(key: "atol", value: "\(atol)", expected: "a number > 0 when rtol is 0")
            }
            guard safety > 0, safety <= 1 else {
                throw .outOfRange(key: "safety", value: "\(safety)", expected: "a number in (0, 1]")
            }
            guard minimumFactor > 0, minimumFactor < 1 else {
                throw .outOfRange(key: "minimumFactor", value: "\(minimumFactor)", expected: "a number in (0, 1)")
            }
            guard maximumFactor > 1, maximumFactor.isFinite else {
                throw .outOfRange(key: "maximumFactor", value: "\(maximumFactor)", expected: "a finite number > 1")
            }
            try requireAtLeast(proportionalCoefficient, 0, key: "proportionalCoefficient")
            guard integralCoefficient > 0, integralCoefficient.isFinite else {
                throw .outOfRange(
                    key: "integralCoefficient", value: "\(integralCoefficient)", expected: "a finite number > 0")
            }
            try requireAtLeast(initialStepSize, 0, key: "initialStepSize")
            try requireAtLeast(minimumStepSize, 0, key: "minimumStepSize")
            guard maximumStepSize > minimumStepSize, maximumStepSize > initialStepSize else {
                throw .outOfRange(
                    key: "maximumStepSize", value: "\(maximumStepSize)",
                    expected:
                        "a number > minimumStepSize (\(minimumStepSize)) and > initialStepSize (\(initialStepSize))")
            }
            guard maximumEvaluationCount >= 8 else {
                throw .outOfRange(
                    key: "maximumEvaluationCount", value: "\(maximumEvaluationCount)",
                    expected: "an integer ≥ 8 (one step costs 1 + 1 + 6 evaluations)")
            }
        }

        /// These settings as Core's `StepSizeControl`.
        public var control: StepSizeControl {
            var c = StepSizeControl()
            c.relativeTolerance = rtol
            c.absoluteTolerance = atol
            c.safety = safety
            c.minimumFactor = minimumFactor
            c.maximumFactor = maximumFactor
            c.proportionalCoefficient = proportionalCoefficient
            c.integralCoefficient = integralCoefficient
            c.predictive = predictive
            c.timeVariable = timeVariable
            c.initialStepSize = initialStepSize
            c.minimumStepSize = minimumStepSize
            c.maximumStepSize = maximumStepSize
            c.maximumEvaluationCount = maximumEvaluationCount
            c.scope = stepControl
            return c
        }
    }
}
