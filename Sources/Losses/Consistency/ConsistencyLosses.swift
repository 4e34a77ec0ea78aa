public import ScoreKitCore

/// A loss that learns from a teacher run (`consistency-distillation`): the recipe names the run
/// by its folder (`teacher:`), and the composition root loads it and attaches its reverse process
/// (`withTeacher(_:)`) before training, refusing a teacher whose data differ.
///
/// A refinement, not a flag (STYLE.md §4): the Runner asks `loss as? any TeacherLoss`.
public protocol TeacherLoss: Loss {
    /// The teacher's run folder (or recipe file, for an exact network), as the recipe gives it.
    var teacherPath: String { get }
    /// The teacher's reverse process, or `nil` until one is attached.
    var teacher: (any ReverseProcess)? { get }
    /// This loss learning from `teacher`.
    func withTeacher(_ teacher: any ReverseProcess) -> Self
}

/// The keys the two consistency losses share.
public struct ConsistencySettings: Sendable, Equatable {
    static func validate(steps: Int, rho: Double) throws(ConfigurationError) {
        guard steps >= 2, steps <= SizeCeiling.steps else {
            throw .outOfRange(key: "steps", value: "\(steps)", expected: "an integer from 2 to 1,000,000")
        }
        guard rho > 0, rho.isFinite else {
            throw .outOfRange(key: "rho", value: "\(rho)", expected: "a finite number > 0")
        }
    }
}

/// Consistency distillation (Song et al. 2023, Algorithm 2): the model learns to map every point
/// of a teacher's probability-flow ODE trajectory to its end, from one Heun step of the teacher
/// between adjacent noise levels (`ConsistencyObjective`).
///
/// ```yaml
/// loss: { kind: consistency-distillation, teacher: runs/ring, steps: 18, rho: 7, distance: squaredL2 }
/// ```
/// The teacher is any run (or a recipe with an exact network) on the same data; its process may
/// differ from the student's: both meet in x̃ = x/α and σ̃ = σ/α. Each step costs the student one
/// forward and backward, one forward without gradient and two teacher evaluations.
public struct ConsistencyDistillation: TeacherLoss {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// The teacher's run folder, or a recipe file with an exact network.
        public var teacher = ""
        /// N, the noise levels of the discretisation.
        public var steps = 18
        /// ρ of the Karras discretisation.
        public var rho = 7.0
        /// d, the distance between the two consistency outputs.
        public var distance = ConsistencyDistance.squaredL2
        /// λ_n.
        public var weighting = ConsistencyWeighting.uniform

        public init() {}

        public func validate() throws(ConfigurationError) {
            guard !teacher.isEmpty else {
                throw .outOfRange(
                    key: "teacher", value: "none", expected: "the teacher's run folder (such as runs/ring)")
            }
            try ConsistencySettings.validate(steps: steps, rho: rho)
        }
    }

    public let configuration: Configuration
    public let teacher: (any ReverseProcess)?

    /// A loss without its teacher; attach it with `withTeacher(_:)` before evaluating.
    public init(configuration: Configuration) {
        self.configuration = configuration
        teacher = nil
    }

    public init(configuration: Configuration, teacher: any ReverseProcess) {
        self.configuration = configuration
        self.teacher = teacher
    }

    public var teacherPath: String { configuration.teacher }

    public func withTeacher(_ teacher: any ReverseProcess) -> ConsistencyDistillation {
        ConsistencyDistillation(configuration: configuration, teacher: teacher)
    }

    var objective: ConsistencyObjective {
        let c = configuration
        return ConsistencyObjective(stepCount: c.steps, rho: c.rho, distance: c.distance, weighting: c.weighting)
    }

    public func evaluate(
        _ batch: TrainingBatch, model: some ScoreModel, sde: some ForwardSDE,
        parameterization: some Parameterization, noise: inout some NoiseSource
    ) -> LossEvaluation {
        guard let teacher else {
            preconditionFailure("consistency-distillation has no teacher: attach one with withTeacher(_:)")
        }
        return objective.evaluate(
            batch, model: model, sde: sde, parameterization: parameterization, noise: &noise, teacher: teacher)
    }
}

extension ConsistencyDistillation: RegisteredComponent {
    public static let id: ComponentID = "consistency-distillation"
    public static let summary =
        "consistency distillation: f(x_{n+1}, σ_{n+1}) ≈ f(Heun step of a teacher run, σ_n) (Song et al. 2023)"
}

/// Consistency training (Song et al. 2023, Algorithm 3): consistency distillation with the
/// teacher's step replaced by the same noise at the lower level, x̃_n = x₀ + σ_n·z; no teacher.
///
/// ```yaml
/// loss: { kind: consistency-training, steps: 40, rho: 7, distance: pseudoHuber, weighting: inverseGap }
/// ```
/// N is fixed (the papers grow it during training).
public struct ConsistencyTraining: Loss {
    public struct Configuration: ComponentConfiguration, Equatable {
        /// N, the noise levels of the discretisation.
        public var steps = 40
        /// ρ of the Karras discretisation.
        public var rho = 7.0
        /// d, the distance between the two consistency outputs.
        public var distance = ConsistencyDistance.pseudoHuber
        /// λ_n.
        public var weighting = ConsistencyWeighting.inverseGap

        public init() {}

        public func validate() throws(ConfigurationError) {
            try ConsistencySettings.validate(steps: steps, rho: rho)
        }
    }

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public func evaluate(
        _ batch: TrainingBatch, model: some ScoreModel, sde: some ForwardSDE,
        parameterization: some Parameterization, noise: inout some NoiseSource
    ) -> LossEvaluation {
        let c = configuration
        let objective = ConsistencyObjective(
            stepCount: c.steps, rho: c.rho, distance: c.distance, weighting: c.weighting)
        return objective.evaluate(
            batch, model: model, sde: sde, parameterization: parameterization, noise: &noise, teacher: nil)
    }
}

extension ConsistencyTraining: RegisteredComponent {
    public static let id: ComponentID = "consistency-training"
    public static let summary =
        "consistency training: f(x₀ + σ_{n+1}z, σ_{n+1}) ≈ f(x₀ + σ_n z, σ_n), no teacher (Song et al. 2023)"
}
