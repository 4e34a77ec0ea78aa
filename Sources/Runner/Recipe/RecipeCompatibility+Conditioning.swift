import ScoreKitCore

extension RecipeCompatibility.Rule {
    /// A `conditioning` section must fit the run: its files readable, of the data's sample shape,
    /// the mask 0/1 with something known, the known values finite where known
    /// (`Observations.load`); and the sampler must step on the grid, since the known part is
    /// replaced between steps and an adaptive sampler (`rk45`) chooses its own steps. Data whose
    /// shape only its file tells is checked by `sample` when it reads the checkpoint.
    public static var conditioningFitsRun: Self {
        Self(name: "conditioning-fits-run") { recipe, registry in
            guard let settings = recipe.conditioning else { return nil }
            if let sampler = recipe.sampler, sampler is any AdaptiveSampler {
                let name = recipe.componentIDs[.sampler].map { " '\($0)'" } ?? ""
                let fixed = registry.ids(of: .sampler).filter { id in
                    guard let made = try? registry.make(.sampler, from: ["kind": .string(id.rawValue)]) else {
                        return false
                    }
                    return !(made is any AdaptiveSampler) && made.order != nil
                }
                return .incompatible(
                    headline: "sampler\(name) chooses its own steps; conditioning replaces the known values between "
                        + "the time grid's steps",
                    notes: [
                        "use a sampler that steps on the grid, such as "
                            + fixed.prefix(4).map(\.rawValue).joined(separator: ", ") + ", or euler-maruyama"
                    ],
                    location: recipe.written["sampler"]?["kind"]?.location ?? recipe.written["sampler"]?.location)
            }
            guard let shape = recipe.declaredSampleShape else { return nil }
            var isImage = false
            if case .images = recipe.dataSpecification?.source.sampleLayout { isImage = true }
            do throws(RecipeError) {
                _ = try Observations.load(settings, sampleShape: shape, isImage: isImage, in: recipe)
                return nil
            } catch {
                return error
            }
        }
    }
}
