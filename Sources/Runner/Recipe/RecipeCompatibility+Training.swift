import ScoreKitCore

extension RecipeCompatibility.Rule {
    /// `training.evaluateEvery` > 0 evaluates the loss on held-out data, so the data section
    /// must hold some out (`data.heldOutFraction` > 0).
    public static var evaluationHasHeldOutData: Self {
        Self(name: "evaluation-has-held-out-data") { recipe, _ in
            guard let training = recipe.trainingConfiguration, training.evaluateEvery > 0,
                let data = recipe.dataSpecification, data.settings.heldOutFraction == 0
            else { return nil }
            return .incompatible(
                headline: "training.evaluateEvery is \(training.evaluateEvery) but the data has no held-out part",
                notes: ["set data.heldOutFraction (such as 0.1), or training.evaluateEvery: 0"],
                location: recipe.written["training"]?["evaluateEvery"]?.location ?? recipe.written["training"]?.location
            )
        }
    }
}
