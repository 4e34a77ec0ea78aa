import Foundation
import ScoreKitCore

extension RecipeCompatibility.Rule {
    /// A classifier network (`ClassifierArchitecture`) and a classification loss
    /// (`classifier-cross-entropy`) go together, on labelled data, with nothing to sample: the
    /// network's output is K logits, not a score.
    public static var classifierTraining: Self {
        Self(name: "classifier-training") { recipe, registry in
            let isClassifier = recipe.network is any ClassifierArchitecture
            let classifies = recipe.loss is any ClassificationLoss
            let networkName = recipe.componentIDs[.network].map { "network '\($0)'" } ?? "the network"
            let lossName = recipe.componentIDs[.loss].map { "loss '\($0)'" } ?? "the loss"
            func kindLocation(_ section: String) -> SourceLocation? {
                recipe.written[section]?["kind"]?.location ?? recipe.written[section]?.location
            }
            if isClassifier, recipe.loss != nil, !classifies {
                return .incompatible(
                    headline:
                        "\(networkName) is a classifier (its output is class logits), and \(lossName) trains a score",
                    notes: ["use loss classifier-cross-entropy, or a score network"],
                    location: kindLocation("loss"))
            }
            if classifies, recipe.network != nil, !isClassifier {
                let classifiers = registry.ids(of: .network).filter { id in
                    (try? registry.make(.network, from: ["kind": .string(id.rawValue)])) is any ClassifierArchitecture
                }
                return .incompatible(
                    headline: "\(lossName) trains a classifier, and \(networkName) is not one",
                    notes: ["classifier networks: " + classifiers.map(\.rawValue).joined(separator: ", ")],
                    location: kindLocation("network"))
            }
            if isClassifier, recipe.sampler != nil || recipe.guidanceSettings != nil {
                let section = recipe.sampler != nil ? "sampler" : "guidance"
                return .incompatible(
                    headline: "\(networkName) is a classifier and has no score to sample with",
                    notes: [
                        "remove the '\(section)' section; sample a score model guided by this run: "
                            + "guidance: { kind: classifier, run: <this run's folder> }"
                    ],
                    location: kindLocation(section))
            }
            if isClassifier || classifies, let data = recipe.dataSpecification, !data.settings.labelled {
                return .incompatible(
                    headline: "\(isClassifier ? networkName : lossName) learns classes, and the data are not labelled",
                    notes: ["set data.labelled: true (a data set with labels, such as digits or a labelled mixture)"],
                    location: recipe.written["data"]?["labelled"]?.location ?? kindLocation("data"))
            }
            return nil
        }
    }

    /// `guidance: { kind: classifier, run: … }` names a classifier run on the same forward process
    /// (`GuidanceClassifier.mismatch`), checked from its recipe when the run exists (a recipe
    /// names a run before it is trained); the run's existence and its checkpoint (classes,
    /// sample shape, standardisation) are checked when sampling loads it.
    public static var classifierGuidanceRun: Self {
        Self(name: "classifier-guidance-run") { recipe, registry in
            guard let guidance = recipe.guidanceSettings, guidance.kind == .classifier else { return nil }
            let recipePath = RunSource.locate(guidance.run).recipe
            guard FileManager.default.fileExists(atPath: recipePath) else { return nil }
            let location = recipe.written["guidance"]?["run"]?.location ?? recipe.written["guidance"]?.location
            let classifier: ResolvedRecipe
            do {
                // Without the rules: a classifier recipe has no guidance to follow further.
                classifier = try Recipe.load(contentsOf: recipePath).resolve(with: registry, compatibility: .none)
            } catch {
                return .incompatible(
                    headline: "guidance.run '\(guidance.run)': its recipe \(recipePath) does not resolve",
                    notes: ["scorekit validate \(recipePath) says why"], location: location)
            }
            guard let problem = GuidanceClassifier.mismatch(classifier: classifier, guided: recipe) else { return nil }
            return .incompatible(
                headline: "guidance.run '\(guidance.run)': \(problem.headline)", notes: problem.notes,
                location: location)
        }
    }
}
