import Foundation
import ScoreKitCore
import ScoreKitSDEs

/// DPMSolverMultistep, UniPC and the σ-space schedulers (Euler, EulerAncestral, Heun).
extension DiffusersConversion {
    typealias Sections = (grid: ConfigurationValue, sampler: ConfigurationValue, clipping: ConfigurationValue?)

    // MARK: Shared keys

    /// `final_sigmas_type`: `zero` ends with a step to σ = 0, `sigma_min` at σ of timestep 0.
    func finalStep(_ reader: inout DiffusersConfigReader) -> FinalStep {
        let written = reader.choice(
            "final_sigmas_type", default: "zero", allowed: ["zero", "sigma_min"], { _ in "not a final σ of diffusers" },
            ["zero (finalStep: toZero) or sigma_min (finalStep: none)"])
        return written == "sigma_min" ? .none : .toZero
    }

    /// The σ schedules ScoreKit has no grid for: each `true` is refused.
    func refuseSigmaSchedules(_ reader: inout DiffusersConfigReader, _ keys: [String]) {
        for key in keys where reader.bool(key, default: false) {
            reader.refuse(
                key, "ScoreKit has no time grid with these noise levels",
                ["the converted σ schedules are the timestep spacings (discrete) and use_karras_sigmas (karras)"])
        }
    }

    /// Flow-matching shifts: refused when on; their parameters have no effect otherwise.
    func refuseDynamicShifting(_ reader: inout DiffusersConfigReader, parameters: [String]) {
        if reader.bool("use_dynamic_shifting", default: false) {
            reader.refuse(
                "use_dynamic_shifting", "a flow-matching time shift; ScoreKit converts the ddpm schedules only",
                ["set it to false for a DDPM-trained model"])
        }
        // Read only with use_flow_sigmas or use_dynamic_shifting, both refused when true.
        for key in parameters { reader.ignore(key) }
    }

    /// `sigma_min` and `sigma_max` of Euler and UniPC: read only by the Karras (and refused) σ schedules.
    func refuseSigmaBounds(_ reader: inout DiffusersConfigReader, karras: Bool) {
        for key in ["sigma_min", "sigma_max"] {
            guard let value = reader.raw(key), value != .null, karras else { continue }
            reader.refuse(
                key, "ScoreKit's karras grid runs from σ at the last training step to σ at the first",
                ["set \(key) to null, so that diffusers takes the same ends"])
        }
    }

    /// diffusers' DPMSolver, Euler, EulerAncestral and UniPC raise ᾱ_N = 0 of zero terminal SNR
    /// to 2⁻²⁴ (σ = 4096); ScoreKit keeps 0, the same only where the grid never visits it.
    func refuseZeroSNR(_ reader: inout DiffusersConfigReader, process: ProcessSection, visitsLastStep: Bool) {
        guard process.zeroTerminalSNR, visitsLastStep else { return }
        reader.refuse(
            "rescale_betas_zero_snr",
            "\(schedulerClass.rawValue) raises ᾱ at the last training step from 0 to 2⁻²⁴ (σ = 4096), which this grid visits; ScoreKit's zeroTerminalSNR keeps ᾱ = 0 there",
            [
                "DDPMScheduler and DDIMScheduler keep ᾱ = 0, as ScoreKit does;",
                "or use timestep_spacing \"leading\", which does not visit the last step (without use_karras_sigmas)",
            ])
    }

    /// EDM's grid on the process: σ from the last training step down to σ at `endTime`, then 0.
    func karrasGrid(endTime: Double) -> ConfigurationValue {
        [
            "kind": "karras", "steps": .integer(steps), "rho": 7.0, "endTime": .number(endTime),
            "finalStep": .string(FinalStep.toZero.rawValue),
        ]
    }

    func refuseKarrasToSigmaMin(_ reader: inout DiffusersConfigReader) {
        reader.refuse(
            "final_sigmas_type",
            "with use_karras_sigmas diffusers ends with a step from σ_min to σ_min; ScoreKit's karras grid has no such step",
            ["final_sigmas_type \"zero\" converts (finalStep: toZero)"])
    }

    // MARK: DPMSolverMultistep

    /// `DPMSolverMultistepScheduler`: `dpmsolver++` is `dpm-solver-plus-plus` started at lower
    /// order, `sde-dpmsolver++` of order 2 is `dpmpp-2m-sde`.
    func dpmSolver(_ reader: inout DiffusersConfigReader, process: ProcessSection) -> Sections {
        let count = process.trainStepCount
        let order = reader.integer("solver_order", default: 2)
        let clipping = clipping(&reader, clip: false, threshold: true)
        // diffusers reads "deis" as dpmsolver++, and logrho, bh1 and bh2 as midpoint (__init__).
        let algorithm = reader.choice(
            "algorithm_type", default: "dpmsolver++", allowed: ["dpmsolver++", "sde-dpmsolver++", "deis"],
            { _ in "not a DPM-Solver ScoreKit converts" },
            [
                "dpmsolver++ (dpm-solver-plus-plus) and sde-dpmsolver++ (dpmpp-2m-sde) convert;",
                "the noise-prediction forms dpmsolver and sde-dpmsolver do not",
            ])
        let solverType = reader.choice(
            "solver_type", default: "midpoint", allowed: ["midpoint", "heun", "logrho", "bh1", "bh2"],
            { _ in "not a solver type of DPMSolverMultistepScheduler" }, ["midpoint or heun"])
        let heunCorrection = solverType == "heun"
        let lowerOrderFinal = reader.bool("lower_order_final", default: true)
        let eulerAtFinal = reader.bool("euler_at_final", default: false)
        let karras = reader.bool("use_karras_sigmas", default: false)
        refuseSigmaSchedules(
            &reader, ["use_exponential_sigmas", "use_beta_sigmas", "use_lu_lambdas", "use_flow_sigmas"])
        refuseDynamicShifting(&reader, parameters: ["flow_shift", "time_shift_type"])
        let final = finalStep(&reader)
        let lambdaClip = reader.number("lambda_min_clipped", default: -.infinity)
        reader.requireNull(
            "variance_type", "a learned variance (the network's second output) has no ScoreKit counterpart",
            ["set variance_type to null for a network that predicts only the mean"])
        let (spacing, offset) = spacing(&reader, default: "linspace", convention: .multistep, trainStepCount: count)
        let first = timesteps(spacing: spacing, offset: offset, convention: .multistep, count: count).first
        refuseZeroSNR(&reader, process: process, visitsLastStep: karras || first == Double(count - 1))

        // set_timesteps ends the spacing at the first λ below lambda_min_clipped; no effect if none is.
        if !karras, let sde = process.sde {
            let end = sde.marginal(at: sde.timeRange.upperBound)
            let lambdaMin = Foundation.log(end.signalScale) - Foundation.log(end.noiseScale)
            if lambdaClip.isNaN || lambdaClip > lambdaMin {
                reader.refuse(
                    "lambda_min_clipped",
                    "it cuts diffusers' timesteps short where λ = log(α/σ) < \(lambdaClip); this schedule reaches λ = \(String(format: "%.4g", lambdaMin))",
                    ["ScoreKit's grids always span the whole schedule; -Infinity (the default) converts"])
            }
        }

        // step(): the last step is first order with final_sigmas_type zero (there x̂₀ in both),
        // with euler_at_final, or with lower_order_final below 15 steps; ScoreKit's multistep keeps its order.
        if order >= 2, final == .none, eulerAtFinal || (lowerOrderFinal && steps < 15) {
            reader.refuse(
                eulerAtFinal ? "euler_at_final" : "lower_order_final",
                "with final_sigmas_type \"sigma_min\" diffusers takes the last step at first order"
                    + (eulerAtFinal ? "" : " below 15 steps (--steps \(steps))")
                    + "; ScoreKit's multistep sampler has no lower-order final step",
                [
                    "final_sigmas_type \"zero\" converts (the last step gives x̂₀ in both);",
                    eulerAtFinal
                        ? "or set euler_at_final to false"
                        : "or set lower_order_final to false, or use --steps 15 or more",
                ])
        }

        var sampler: ConfigurationValue = ["kind": "dpm-solver-plus-plus"]
        if !(1...3).contains(order) {
            reader.refuse("solver_order", "out of range", ["DPMSolverMultistepScheduler's orders are 1, 2 and 3"])
        } else if algorithm == "sde-dpmsolver++" {
            if order != 2 {
                reader.refuse(
                    "solver_order",
                    "ScoreKit's stochastic DPM-Solver++ is the second-order multistep one (dpmpp-2m-sde)",
                    ["solver_order 2 converts"])
            }
            sampler = [
                "kind": "dpmpp-2m-sde", "eta": 1.0, "sNoise": 1.0,
                "solverType": .string(heunCorrection ? "heun" : "midpoint"),
            ]
        } else if algorithm != nil {
            if order == 3 {
                reader.refuse(
                    "solver_order",
                    "diffusers' third-order update takes D₂ = (D₁₀ − D₁₁)/(r₀ + r₁), half the second difference its φ₃ term needs; ScoreKit's dpm-solver-plus-plus of order 3 takes the whole one, so their samples differ",
                    [
                        "solver_order 2 converts (dpm-solver-plus-plus, order 2); ScoreKit's 3M converges at order 3 where diffusers' converges at order 2,",
                        "and has no lower_order_final",
                    ])
            }
            if order == 2, heunCorrection {
                reader.refuse(
                    "solver_type",
                    "ScoreKit's DPM-Solver++(2M) is the midpoint form, −½·α_t·(e^{−h} − 1)·D₁; the heun form weights D₁ by α_t·((e^{−h} − 1)/h + 1)",
                    ["solver_type \"midpoint\" converts"])
            }
            sampler = ["kind": "dpm-solver-plus-plus", "order": .integer(order), "start": "lowerOrder"]
        }
        if karras {
            if final == .none { refuseKarrasToSigmaMin(&reader) }
            // _convert_to_karras on the whole lattice: σ_max at timestep N − 1, σ_min at timestep 0 (t = 1/N).
            return (karrasGrid(endTime: 1 / Double(count)), sampler, clipping)
        }
        return (
            discreteGrid(spacing: spacing, offset: offset, convention: .multistep, finalStep: final), sampler, clipping
        )
    }
}
