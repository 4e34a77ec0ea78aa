import ScoreKitCore
import ScoreKitSDEs

/// DDPMScheduler and DDIMScheduler: the `ddim` convention of the discrete grid.
extension DiffusersConversion {
    func ddpm(_ reader: inout DiffusersConfigReader, process: ProcessSection) -> Sections {
        let variances = ["fixed_small": "posterior", "fixed_large": "forward"]
        let variance =
            reader.choice(
                "variance_type", default: "fixed_small", allowed: Array(variances.keys),
                { _ in "ScoreKit's ancestral sampler has no such variance" },
                [
                    "variance posterior is fixed_small (β̃), forward is fixed_large (β);",
                    "the log forms and learned variances (a network output) are not converted",
                ]
            ).flatMap { variances[$0] } ?? "posterior"
        let clipping = clipping(&reader, clip: true, threshold: true)
        let (spacing, offset) = spacing(
            &reader, default: "leading", convention: .ddim, trainStepCount: process.trainStepCount)
        // DDPMScheduler.previous_timestep: the next timestep visited, then −1, where ᾱ = 1.
        let grid = discreteGrid(spacing: spacing, offset: offset, convention: .ddim, finalStep: .toZero)
        return (grid, ["kind": "ancestral", "variance": .string(variance)], clipping)
    }

    func ddim(_ reader: inout DiffusersConfigReader, process: ProcessSection) -> Sections {
        let clipping = clipping(&reader, clip: true, threshold: true)
        let toOne = reader.bool("set_alpha_to_one", default: true)
        let (spacing, offset) = spacing(
            &reader, default: "leading", convention: .ddim, trainStepCount: process.trainStepCount)
        // DDIMScheduler.step goes from t to t − ⌊N/S⌋, not to the next timestep it visits, and from
        // a timestep below ⌊N/S⌋ to `final_alpha_cumprod`. ScoreKit's grid steps between the
        // timesteps it visits: the same only where they are ⌊N/S⌋ apart and the last is below ⌊N/S⌋.
        let count = process.trainStepCount
        let visited = timesteps(spacing: spacing, offset: offset, convention: .ddim, count: count).map { Int($0) }
        if steps >= 1, steps <= count, !visited.isEmpty {
            let ratio = count / steps
            if let i = visited.indices.dropLast().first(where: { visited[$0] - visited[$0 + 1] != ratio }) {
                reader.refuse(
                    "timestep_spacing",
                    "with \(steps) steps DDIMScheduler steps from timestep \(visited[i]) to \(visited[i] - ratio) (t − ⌊N/S⌋), but then asks the model at \(visited[i + 1]), the next timestep it visits",
                    [
                        "ScoreKit's grid steps between the timesteps it visits, so it cannot reproduce this;",
                        "use timestep_spacing \"leading\", whose timesteps are ⌊N/S⌋ apart, or DDPMScheduler's schedule",
                    ])
            } else if let last = visited.last, last - ratio >= 0 {
                reader.refuse(
                    "steps_offset",
                    "the last timestep, \(last), steps to \(last - ratio) and not to the end of the schedule",
                    ["ScoreKit's grid ends at the end of the schedule; use a steps_offset below ⌊N/S⌋ = \(ratio)"])
            }
        }
        let eta = options.eta ?? 0
        if !(eta >= 0 && eta <= 1) {
            reader.refuse(
                option: "--eta \(eta)", "out of range", ["ScoreKit's ddim sampler takes η in [0, 1] (0: deterministic)"]
            )
        }
        let grid = discreteGrid(spacing: spacing, offset: offset, convention: .ddim, finalStep: toOne ? .toZero : .none)
        return (grid, ["kind": "ddim", "eta": .number(eta)], clipping)
    }
}
