import Foundation
public import ScoreKitCore
import ScoreKitNetworks
public import ScoreKitSamplers

/// The classifier of a `guidance: { kind: classifier, run: … }` section: the run's network
/// rebuilt from its checkpoint as a `NoiseConditionalClassifier` (`ModelClassifier`), checked
/// against the run it guides.
///
/// The classifier must be a `ClassifierArchitecture` trained on the same forward process (the
/// resolved `sde` sections are equal), on samples of the same shape and standardisation (it
/// reads the guided run's x_t as they are), with at least 2 classes and every requested class
/// among them. Errors are located at the recipe's `guidance.run`.
public struct GuidanceClassifier: Sendable {
    /// ∇ₓ log p_φ(c | x_t).
    public var classifier: any NoiseConditionalClassifier
    /// K, the classifier's classes.
    public var classCount: Int
    /// The classifier's run folder.
    public var path: String

    /// Loads the classifier that `recipe`'s guidance names for a run of `sampleShape` and `standardization`.
    /// - Throws: `RunModelError.recipe(.incompatible)` located at `guidance.run` for a missing or
    ///   mismatched classifier run; the classifier run's own load errors.
    static func load(
        for recipe: ResolvedRecipe, settings: GuidanceSettings, sampleShape: [Int],
        standardization: Standardization?, registry: ComponentRegistry
    ) throws(RunModelError) -> GuidanceClassifier {
        let path = settings.run
        let location = recipe.written["guidance"]?["run"]?.location ?? recipe.written["guidance"]?.location
        func refuse(_ headline: String, _ notes: [String]) -> RunModelError {
            .recipe(.incompatible(headline: headline, notes: notes, location: location))
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw refuse(
                "guidance.run '\(path)': no such classifier run",
                [
                    "train one first: scorekit train <classifier recipe> --out \(path) "
                        + "(such as recipes/digits-noise-classifier.yaml)"
                ])
        }
        let loaded = try Self.classifier(at: path, registry: registry)
        if let problem = Self.mismatch(classifier: loaded.recipe, guided: recipe) {
            throw refuse("guidance.run '\(path)': \(problem.headline)", problem.notes)
        }
        guard loaded.classCount >= 2 else {
            throw refuse(
                "guidance.run '\(path)': the classifier knows \(loaded.classCount) classes",
                ["train it on labelled data (data.labelled: true) of 2 or more classes"])
        }
        guard loaded.description.sampleShape == sampleShape else {
            throw refuse(
                "guidance.run '\(path)': the classifier takes samples of shape \(loaded.description.sampleShape), "
                    + "the guided run's are \(sampleShape)",
                ["train the classifier on the guided run's data"])
        }
        guard loaded.description.standardization == standardization else {
            throw refuse(
                "guidance.run '\(path)': the classifier's data are standardised otherwise than the guided run's",
                ["train the classifier with the guided run's data section (its standardization and data)"])
        }
        if let bad = settings.classes.first(where: { $0 >= loaded.classCount }) {
            throw refuse(
                "guidance.classes has class \(bad); the classifier knows classes 0..<\(loaded.classCount)",
                ["give classes below \(loaded.classCount)"])
        }
        return GuidanceClassifier(classifier: loaded.classifier, classCount: loaded.classCount, path: path)
    }

    /// The classifier at `path`: an exact one (`ExactClassifierArchitecture`) built from its
    /// recipe's data, else the run's network with its checkpoint's weights.
    private static func classifier(
        at path: String, registry: ComponentRegistry
    ) throws(RunModelError) -> (
        classifier: any NoiseConditionalClassifier, classCount: Int, recipe: ResolvedRecipe,
        description: DataDescription
    ) {
        let (recipePath, folder) = RunSource.locate(path)
        let recipe: ResolvedRecipe
        do throws(RecipeError) {
            recipe = try RunRecipe.resolve(recipePath: recipePath, folder: folder, overrides: [], registry: registry)
        } catch { throw .recipe(error) }
        if let exact = recipe.network as? any ExactClassifierArchitecture {
            let data: DataSpecification
            do throws(RecipeError) {
                data = try recipe.require(\.dataSpecification, .data, for: "an exact classifier")
            } catch { throw .recipe(error) }
            let made = try exact.makeExactClassifier(data: data)
            guard let source = data.source as? any ExactMixtureSource else {
                throw .exactModel(reason: "data set '\(data.id)' is not a mixture", hint: "use mixture data")
            }
            return (
                made.classifier, made.classCount, recipe, DataDescription(sampleShape: [source.mixture.dimension])
            )
        }
        let run = try RunModel.load(RunModel.Source(path: path), registry: registry, data: .described)
        return (Self.wrap(run.model), run.classCount, run.recipe, run.dataDescription)
    }

    /// Why the run of recipe `classifier` cannot guide a run of recipe `guided`, checked from the
    /// recipes alone (as `validate` can): it is not a classifier, or its process differs.
    static func mismatch(
        classifier: ResolvedRecipe, guided: ResolvedRecipe
    ) -> (headline: String, notes: [String])? {
        let networkID = classifier.componentIDs[.network].map { "'\($0)'" } ?? "none"
        guard classifier.network is any ClassifierArchitecture else {
            return (
                "its network \(networkID) is not a classifier",
                [
                    "train a noise-conditional classifier (network unet-classifier or mlp-classifier, "
                        + "loss classifier-cross-entropy) and name its run folder"
                ]
            )
        }
        let theirs = classifier.tree["sde"]
        let ours = guided.tree["sde"]
        guard theirs == ours else {
            return (
                "the classifier was trained on another forward process",
                [
                    "classifier's sde: \(theirs.map { "\($0)" } ?? "none")",
                    "guided run's sde: \(ours.map { "\($0)" } ?? "none")",
                    "train the classifier with the guided run's sde section",
                ]
            )
        }
        return nil
    }

    private static func wrap<M: ScoreModel>(_ model: M) -> any NoiseConditionalClassifier {
        ModelClassifier(model: model)
    }
}
