import ScoreKitCore
import ScoreKitSDEs

/// The schedulers that step in σ = σ(t)/α(t) (Euler, EulerAncestral, Heun) and UniPC.
extension DiffusersConversion {
    // MARK: Euler, EulerAncestral, Heun

    /// `EulerDiscreteScheduler` (DDIM with η = 0, which is Euler in σ), `EulerAncestralDiscreteScheduler`
    /// (`euler-ancestral`, η = 1) and `HeunDiscreteScheduler` (`edm-heun`, no churn), on the
    /// `euler` convention: `linspace` timesteps not rounded, σ interpolated linearly.
    func eulerFamily(_ reader: inout DiffusersConfigReader, process: ProcessSection, target: Target) -> Sections {
        let count = process.trainStepCount
        var karras = false
        var final = FinalStep.toZero
        var clipping: ConfigurationValue?
        switch schedulerClass {
        case .eulerDiscrete:
            _ = reader.choice(
                "interpolation_type", default: "linear", allowed: ["linear", "log_linear"],
                { _ in "not an interpolation of EulerDiscreteScheduler" }, ["linear converts"])
            if reader.raw("interpolation_type") == .string("log_linear") {
                reader.refuse(
                    "interpolation_type",
                    "log_linear makes S + 1 noise levels even in log σ for S timesteps, so diffusers' run ends at σ_min without its final step; no ScoreKit grid pairs these",
                    ["interpolation_type \"linear\" converts (the discrete grid, convention euler)"])
            }
            karras = reader.bool("use_karras_sigmas", default: false)
            refuseSigmaSchedules(&reader, ["use_exponential_sigmas", "use_beta_sigmas"])
            refuseSigmaBounds(&reader, karras: karras)
            let type = reader.choice(
                "timestep_type", default: "discrete", allowed: ["discrete", "continuous"],
                { _ in "not a timestep type of EulerDiscreteScheduler" }, ["discrete or continuous"])
            // set_timesteps: continuous changes only the model's time input, and only for v_prediction.
            if type == "continuous", target == .velocity {
                reader.refuse(
                    "timestep_type",
                    "with v_prediction the model is given ¼·log σ as its time, a continuous-time model; ScoreKit's ddpm process gives the network its own time",
                    ["timestep_type \"discrete\" converts"])
            }
            final = finalStep(&reader)
        case .heunDiscrete:
            karras = reader.bool("use_karras_sigmas", default: false)
            refuseSigmaSchedules(&reader, ["use_exponential_sigmas", "use_beta_sigmas"])
            clipping = self.clipping(&reader, clip: true, threshold: false, clipDefault: false)
        default:
            break
        }
        let (spacing, offset) = spacing(&reader, default: "linspace", convention: .euler, trainStepCount: count)
        let visited = timesteps(spacing: spacing, offset: offset, convention: .euler, count: count)
        refuseZeroSNR(&reader, process: process, visitsLastStep: karras || visited.first == Double(count - 1))

        let sampler: ConfigurationValue
        switch schedulerClass {
        case .eulerAncestralDiscrete: sampler = ["kind": "euler-ancestral", "eta": 1.0, "sNoise": 1.0]
        case .heunDiscrete: sampler = ["kind": "edm-heun", "churn": 0.0]
        default: sampler = ["kind": "ddim", "eta": 0.0]
        }
        guard karras else {
            return (
                discreteGrid(spacing: spacing, offset: offset, convention: .euler, finalStep: final), sampler, clipping
            )
        }
        if final == .none { refuseKarrasToSigmaMin(&reader) }
        // _convert_to_karras on the σ of the visited timesteps: σ_max at the first, σ_min at the last.
        guard let first = visited.first, let last = visited.last, first == Double(count - 1) else {
            reader.refuse(
                "use_karras_sigmas",
                "with timestep_spacing \"\(spacing.rawValue)\" diffusers' Karras σ_max is σ at timestep \(Int(visited.first ?? 0)), below the last training step; ScoreKit's karras grid starts at the last step",
                ["timestep_spacing \"linspace\" or \"trailing\" converts"])
            return (karrasGrid(endTime: 1 / Double(count)), sampler, clipping)
        }
        // Timestep k is t = (k + 1)/N on the ddpm process.
        return (karrasGrid(endTime: (last.rounded() + 1) / Double(count)), sampler, clipping)
    }

    // MARK: UniPC

    /// `UniPCMultistepScheduler`: `unipc` with the same order, B(h), prediction and final orders.
    mutating func uniPC(_ reader: inout DiffusersConfigReader, process: ProcessSection) -> Sections {
        let count = process.trainStepCount
        let order = reader.integer("solver_order", default: 2)
        if !(1...3).contains(order) {
            reader.refuse("solver_order", "ScoreKit's unipc has orders 1, 2 and 3", ["use solver_order 1, 2 or 3"])
        }
        var clipping = clipping(&reader, clip: false, threshold: true)
        let predictX0 = reader.bool("predict_x0", default: true)
        if clipping != nil, !predictX0 {
            reader.refuse(
                "thresholding", "diffusers' UniPC thresholds x̂₀ only with predict_x0; here it has no effect",
                ["set thresholding to false (the same samples), or predict_x0 to true"])
            clipping = nil
        }
        // __init__ reads midpoint, heun and logrho as bh2.
        let written = reader.choice(
            "solver_type", default: "bh2", allowed: ["bh1", "bh2", "midpoint", "heun", "logrho"],
            { _ in "not a solver type of UniPCMultistepScheduler" }, ["bh1 or bh2"])
        let variant = written == "bh1" ? "bh1" : "bh2"
        let lowerOrderFinal = reader.bool("lower_order_final", default: true)
        var corrector = "uniC"
        switch reader.raw("disable_corrector") {
        case nil, .array([])?: break
        case .array(let elements)?:
            // step(): the corrector of step i runs unless i − 1 is listed; steps 1 … S − 1 have one.
            let listed = Set(
                elements.compactMap { element -> Int? in
                    if case .number(let value, _) = element, value.rounded() == value, abs(value) < 1e9 {
                        return Int(value)
                    }
                    return nil
                })
            if steps >= 2, listed.isSuperset(of: 0...(steps - 2)) {
                corrector = "none"
            } else if steps >= 2 {
                reader.refuse(
                    "disable_corrector",
                    "ScoreKit's unipc corrects every step (corrector: uniC) or none (corrector: none)",
                    ["[] converts, and so does a list of every step 0 … \(steps - 2) (--steps \(steps))"])
            }
        default:
            reader.refuse("disable_corrector", "expected a list of step indices", ["[] converts"])
        }
        reader.requireNull(
            "solver_p", "another scheduler as UniC's predictor has no ScoreKit counterpart",
            ["set solver_p to null (UniP, the default predictor)"])
        let karras = reader.bool("use_karras_sigmas", default: false)
        refuseSigmaSchedules(&reader, ["use_exponential_sigmas", "use_beta_sigmas", "use_flow_sigmas"])
        refuseDynamicShifting(&reader, parameters: ["flow_shift", "time_shift_type", "shift_terminal"])
        let (spacing, offset) = spacing(&reader, default: "linspace", convention: .multistep, trainStepCount: count)
        let final = finalStep(&reader)
        refuseSigmaBounds(&reader, karras: karras)
        let first = timesteps(spacing: spacing, offset: offset, convention: .multistep, count: count).first
        refuseZeroSNR(&reader, process: process, visitsLastStep: karras || first == Double(count - 1))

        if final == .toZero, !(variant == "bh2" && predictX0 && (lowerOrderFinal || order == 1)) {
            notices.append(
                "diffusers' UniPC gives NaN (or a singular system) on its last step to σ = 0 unless it is bh2 with predict_x0 and lower_order_final; ScoreKit's unipc returns x̂₀ there"
            )
        }
        let sampler: ConfigurationValue = [
            "kind": "unipc", "order": .integer(order), "variant": .string(variant),
            "prediction": .string(predictX0 ? "data" : "noise"),
            "finalSteps": .string(lowerOrderFinal ? "lowerOrder" : "fullOrder"), "corrector": .string(corrector),
        ]
        if karras {
            if final == .none { refuseKarrasToSigmaMin(&reader) }
            // _convert_to_karras on the whole lattice, as DPMSolverMultistep.
            return (karrasGrid(endTime: 1 / Double(count)), sampler, clipping)
        }
        return (
            discreteGrid(spacing: spacing, offset: offset, convention: .multistep, finalStep: final), sampler, clipping
        )
    }
}
