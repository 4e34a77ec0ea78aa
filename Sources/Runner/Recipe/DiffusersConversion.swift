import Foundation
import ScoreKitCore
import ScoreKitSDEs

/// The key-by-key mapping of `DiffusersSchedulerConfig`, one class at a time; each rule cites
/// the diffusers 0.42.1 code it follows (`set_timesteps`, `step`).
struct DiffusersConversion {
    let schedulerClass: DiffusersSchedulerClass
    let options: DiffusersSchedulerConfig.Options
    var notices: [String] = []

    init(schedulerClass: DiffusersSchedulerClass, options: DiffusersSchedulerConfig.Options) {
        self.schedulerClass = schedulerClass
        self.options = options
    }

    var steps: Int { options.steps }

    /// The sections for the config in `reader`; refusals go to `reader`.
    mutating func convert(_ reader: inout DiffusersConfigReader) -> ConfigurationValue {
        let process = self.process(&reader)
        let target = parameterization(&reader)
        let (grid, sampler, clipping) = method(&reader, process: process, target: target)
        var entries: [ConfigurationValue.Entry] = [
            .init(key: "sde", value: process.section),
            .init(key: "parameterization", value: ["kind": .string(target.kind)]),
            .init(key: "timeGrid", value: grid),
            .init(key: "sampler", value: sampler),
        ]
        if let clipping { entries.append(.init(key: "clipping", value: clipping)) }
        return .mapping(entries)
    }

    // MARK: - Process and prediction target

    /// The `ddpm` process, with the lattice size and, when it could be built, the process itself.
    struct ProcessSection {
        var section: ConfigurationValue
        var trainStepCount: Int
        var sde: DiscreteDDPMSDE?
        var zeroTerminalSNR: Bool
    }

    private func process(_ reader: inout DiffusersConfigReader) -> ProcessSection {
        let heun = schedulerClass == .heunDiscrete
        var count = reader.integer("num_train_timesteps", default: 1000)
        if count < 2 || count > SizeCeiling.steps {
            reader.refuse(
                "num_train_timesteps", "out of range",
                ["ScoreKit's ddpm process takes 2 to 1,000,000 training steps (trainStepCount)"])
            count = 1000
        }
        let start = reader.number("beta_start", default: heun ? 0.00085 : 0.0001)
        let end = reader.number("beta_end", default: heun ? 0.012 : 0.02)
        let schedules = ["linear": "linear", "scaled_linear": "scaledLinear", "squaredcos_cap_v2": "cosine"]
        let schedule = reader.choice(
            "beta_schedule", default: "linear", allowed: Array(schedules.keys),
            { _ in "not a β schedule of ScoreKit's ddpm process" },
            [
                "ScoreKit has linear, scaled_linear (betaSchedule: scaledLinear) and squaredcos_cap_v2 (cosine)",
                "train with one of these, or add the schedule to DiscreteDDPMSDE.BetaSchedule",
            ]
        ).flatMap { schedules[$0] }
        reader.requireNull(
            "trained_betas", "ScoreKit's ddpm process computes its β from betaSchedule, betaStart and betaEnd",
            ["a list of β cannot be given; use the beta_schedule the list was made with"])
        let rescale = heun ? false : reader.bool("rescale_betas_zero_snr", default: false)

        var configuration = DiscreteDDPMSDE.Configuration()
        configuration.trainStepCount = count
        configuration.betaSchedule = schedule.flatMap(DiscreteDDPMSDE.BetaSchedule.init(rawValue:)) ?? .linear
        configuration.rescale = rescale ? .zeroTerminalSNR : .none
        var entries: [ConfigurationValue.Entry] = [
            .init(key: "kind", value: "ddpm"), .init(key: "trainStepCount", value: .integer(count)),
            .init(key: "betaSchedule", value: .string(configuration.betaSchedule.rawValue)),
        ]
        if configuration.betaSchedule != .cosine {
            // diffusers' cosine schedule ignores beta_start and beta_end; so does ScoreKit's.
            if !(start > 0 && start < 1) {
                reader.refuse("beta_start", "out of range", ["β₁ must be a number > 0 and < 1"])
            }
            if !(end >= start && end < 1) {
                reader.refuse("beta_end", "out of range", ["β_N must be a number ≥ beta_start and < 1"])
            }
            configuration.betaStart = start
            configuration.betaEnd = end
            entries += [.init(key: "betaStart", value: .number(start)), .init(key: "betaEnd", value: .number(end))]
        }
        entries.append(.init(key: "rescale", value: .string(configuration.rescale.rawValue)))
        return ProcessSection(
            section: .mapping(entries), trainStepCount: count, sde: try? DiscreteDDPMSDE(configuration: configuration),
            zeroTerminalSNR: rescale)
    }

    /// What the network predicts.
    enum Target: String {
        case epsilon
        case velocity
        case denoised

        var kind: String { rawValue }
    }

    private func parameterization(_ reader: inout DiffusersConfigReader) -> Target {
        let targets: [String: Target] = ["epsilon": .epsilon, "v_prediction": .velocity, "sample": .denoised]
        var allowed = ["epsilon", "v_prediction", "sample"]
        if schedulerClass == .eulerAncestralDiscrete { allowed.removeLast() }
        let written = reader.string("prediction_type", default: "epsilon")
        guard let target = targets[written], allowed.contains(written) else {
            if written == "sample" {
                reader.refuse(
                    "prediction_type", "\(schedulerClass.rawValue) does not implement x̂₀ prediction",
                    ["diffusers raises NotImplementedError in its step; use EulerDiscreteScheduler for a sample model"])
            } else if reader.isWritten("prediction_type") {
                reader.refuse(
                    "prediction_type", "not a prediction target of ScoreKit's ddpm process",
                    [
                        "ScoreKit converts epsilon (parameterization epsilon), v_prediction (velocity) and sample (denoised)"
                    ])
            }
            return .epsilon
        }
        return target
    }

    // MARK: - Grid, sampler and clipping per class

    private mutating func method(
        _ reader: inout DiffusersConfigReader, process: ProcessSection, target: Target
    ) -> Sections {
        if steps < 1 || steps > process.trainStepCount {
            reader.refuse(
                option: "--steps \(steps)", "out of range",
                ["the number of inference steps must be from 1 to num_train_timesteps (\(process.trainStepCount))"])
        }
        if options.eta != nil, schedulerClass != .ddim {
            reader.refuse(
                option: "--eta", "only DDIMScheduler takes an η",
                ["\(schedulerClass.rawValue)'s step has no eta; leave --eta out"])
        }
        switch schedulerClass {
        case .ddpm: return ddpm(&reader, process: process)
        case .ddim: return ddim(&reader, process: process)
        case .dpmSolverMultistep: return dpmSolver(&reader, process: process)
        case .eulerDiscrete, .eulerAncestralDiscrete, .heunDiscrete:
            return eulerFamily(&reader, process: process, target: target)
        case .uniPCMultistep: return uniPC(&reader, process: process)
        }
    }

    /// `timestep_spacing` and `steps_offset`, checked against the lattice for `convention`.
    func spacing(
        _ reader: inout DiffusersConfigReader, default value: String, convention: DiscreteTimeGrid.Convention,
        trainStepCount count: Int
    ) -> (spacing: DiscreteTimeGrid.Spacing, offset: Int) {
        let spacing =
            reader.choice(
                "timestep_spacing", default: value, allowed: DiscreteTimeGrid.Spacing.allCases.map(\.rawValue),
                { _ in "not a timestep spacing" }, ["diffusers and ScoreKit have linspace, leading and trailing"]
            ).flatMap(DiscreteTimeGrid.Spacing.init(rawValue:)) ?? .leading
        var offset = reader.integer("steps_offset", default: 0)
        if offset < 0 {
            reader.refuse("steps_offset", "out of range", ["steps_offset is a whole number ≥ 0"])
            offset = 0
        } else if spacing == .leading, steps >= 1, steps <= count {
            let points = convention == .multistep ? steps + 1 : steps
            let first = (points - 1) * (count / points) + offset
            if first > count - 1 {
                reader.refuse(
                    "steps_offset",
                    "the first leading timestep, \(first), is past the last training step, \(count - 1)",
                    ["diffusers would index past its schedule; use a smaller steps_offset or fewer --steps"])
                offset = 0
            }
        }
        return (spacing, offset)
    }

    func discreteGrid(
        spacing: DiscreteTimeGrid.Spacing, offset: Int, convention: DiscreteTimeGrid.Convention, finalStep: FinalStep
    ) -> ConfigurationValue {
        var entries: [ConfigurationValue.Entry] = [
            .init(key: "kind", value: "discrete"), .init(key: "steps", value: .integer(steps)),
            .init(key: "spacing", value: .string(spacing.rawValue)),
        ]
        if offset != 0 { entries.append(.init(key: "stepsOffset", value: .integer(offset))) }
        entries += [
            .init(key: "convention", value: .string(convention.rawValue)),
            .init(key: "finalStep", value: .string(finalStep.rawValue)),
        ]
        return .mapping(entries)
    }

    /// The grid's timesteps τ (diffusers' `timesteps`) for the lattice of `count` points.
    func timesteps(
        spacing: DiscreteTimeGrid.Spacing, offset: Int, convention: DiscreteTimeGrid.Convention, count: Int
    ) -> [Double] {
        var configuration = DiscreteTimeGrid.Configuration()
        configuration.steps = Swift.max(1, Swift.min(steps, count))
        configuration.spacing = spacing
        configuration.stepsOffset = offset
        configuration.convention = convention
        configuration.trainStepCount = count
        guard let grid = try? DiscreteTimeGrid(configuration: configuration) else { return [] }
        return grid.timesteps(latticeCount: count)
    }

    /// `clipping` from `clip_sample`/`clip_sample_range` and `thresholding` (which wins in
    /// diffusers' DDPM and DDIM), reading only the keys the class has.
    func clipping(
        _ reader: inout DiffusersConfigReader, clip: Bool, threshold: Bool, clipDefault: Bool = true
    ) -> ConfigurationValue? {
        var clipRange: Double?
        if clip {
            let enabled = reader.bool("clip_sample", default: clipDefault)
            let range = reader.number("clip_sample_range", default: 1)
            if enabled {
                if range > 0, range.isFinite {
                    clipRange = range
                } else {
                    reader.refuse("clip_sample_range", "out of range", ["the clipping range is a finite number > 0"])
                }
            }
        }
        if threshold {
            let enabled = reader.bool("thresholding", default: false)
            let ratio = reader.number("dynamic_thresholding_ratio", default: 0.995)
            let maximum = reader.number("sample_max_value", default: 1)
            if enabled {
                var valid = true
                if !(ratio > 0 && ratio <= 1) {
                    reader.refuse(
                        "dynamic_thresholding_ratio", "out of range", ["the percentile is a number in (0, 1]"])
                    valid = false
                }
                if !(maximum >= 1 && maximum.isFinite) {
                    reader.refuse(
                        "sample_max_value", "out of range",
                        ["diffusers clamps the threshold s to [1, sample_max_value]: a finite number ≥ 1"])
                    valid = false
                }
                guard valid else { return nil }
                return ["mode": "dynamic", "percentile": .number(ratio), "range": .number(maximum)]
            }
        }
        return clipRange.map { ["mode": "static", "range": .number($0)] }
    }
}
