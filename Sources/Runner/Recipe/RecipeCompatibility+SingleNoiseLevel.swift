import ScoreKitCore

extension RecipeCompatibility.Rule {
    /// A process with a single noise level (`ForwardSDE.singleNoiseLevel`: variance-exploding
    /// with sigmaMin = sigmaMax, fixed-σ denoising score matching) is sampled only by samplers
    /// that stay at each grid time (`StationarySampler`: Langevin dynamics at p_σ). Any other
    /// sampler integrates a reverse SDE or probability-flow ODE that does not move there (g = 0),
    /// and would return its prior draw; it is refused at its kind, nested samplers included.
    public static var singleNoiseLevelSampler: Self {
        Self(name: "single-noise-level-sampler") { recipe, registry in
            guard let level = recipe.sde.singleNoiseLevel,
                let (path, sampler) = samplers(of: recipe).first(where: { !($0.sampler is any StationarySampler) })
            else { return nil }
            let stationary = registry.ids(of: .sampler).filter { id in
                guard let made = try? registry.make(.sampler, from: ["kind": .string(id.rawValue)]) else {
                    return false
                }
                return made is any StationarySampler
            }
            let id = (sampler as? any RegisteredComponent).map { " '\(type(of: $0).id.rawValue)'" } ?? ""
            let role = path == "sampler" ? "sampler" : "\(path) (a sampler)"
            let sdeName = recipe.componentIDs[.sde].map { " '\($0)'" } ?? ""
            let section = recipe.written.value(atPath: path)
            let names: String =
                stationary.isEmpty ? "none registered" : stationary.map(\.rawValue).joined(separator: ", ")
            let headline: String =
                "\(role)\(id) needs a range of noise levels, and sde\(sdeName) has the single noise level "
                + "σ/α = \(level) at every time: its reverse SDE and probability-flow ODE do not move a sample"
            let model: String =
                "a model of this process knows the score of the data convolved with N(0, σ²) only (denoising "
                + "score matching at a fixed σ); sample it by Langevin dynamics at that σ: " + names
            return .incompatible(
                headline: headline,
                notes: [model, "or give the process a range of noise levels (sde.sigmaMax above sde.sigmaMin)"],
                location: section?["kind"]?.location ?? section?.location ?? recipe.written["sampler"]?.location)
        }
    }
}
