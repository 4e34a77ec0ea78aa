public import ScoreKitCore
import ScoreKitLosses

/// Everything a training run needs, taken from a resolved recipe: the components, the
/// `training:` settings and the prepared data.
///
/// ```swift
/// let plan = try TrainingPlan(recipe: resolved)       // loads and prepares the data
/// let trainer = Trainer(plan: plan)
/// ```
/// Every random stream of the run derives from the recipe's `seed` (see `Trainer`).
public struct TrainingPlan: Sendable {
    /// The forward process.
    public var sde: any ForwardSDE
    /// What the network predicts.
    public var parameterization: any Parameterization
    /// The objective.
    public var loss: any Loss
    /// The network architecture.
    public var network: any NetworkArchitecture
    /// The update rule.
    public var optimizer: any Optimizer
    /// Steps, batch size, learning rate, EMA, logging.
    public var configuration: TrainingConfiguration
    /// The training and held-out samples.
    public var data: TrainingData
    /// The recipe's root seed.
    public var seed: UInt64

    /// A plan from its parts.
    public init(
        sde: any ForwardSDE, parameterization: any Parameterization, loss: any Loss, network: any NetworkArchitecture,
        optimizer: any Optimizer, configuration: TrainingConfiguration, data: TrainingData, seed: UInt64
    ) {
        self.sde = sde
        self.parameterization = parameterization
        self.loss = loss
        self.network = network
        self.optimizer = optimizer
        self.configuration = configuration
        self.data = data
        self.seed = seed
    }

    /// The plan of `recipe`, with its data loaded and prepared.
    ///
    /// A recipe without a `training` section trains with `TrainingConfiguration()`'s defaults.
    /// - Throws: `TrainingError.recipe(.missingSection)` for a section training needs
    ///   (parameterization, loss, network, optimizer, data), `.data` when the data cannot be
    ///   loaded.
    public init(recipe: ResolvedRecipe) throws(TrainingError) {
        let purpose = "training"
        let specification: DataSpecification
        do throws(RecipeError) {
            parameterization = try recipe.require(\.parameterization, .parameterization, for: purpose)
            loss = try recipe.require(\.loss, .loss, for: purpose)
            network = try recipe.require(\.network, .network, for: purpose)
            optimizer = try recipe.require(\.optimizer, .optimizer, for: purpose)
            specification = try recipe.require(\.dataSpecification, .data, for: purpose)
        } catch {
            throw .recipe(error)
        }
        if network is any ExactModelArchitecture || network is any ExactClassifierArchitecture {
            throw .recipe(
                .incompatible(
                    headline:
                        "network '\(recipe.componentIDs[.network].map { "\($0)" } ?? "exact")' is exact and has nothing to train",
                    notes: [
                        network is any ExactClassifierArchitecture
                            ? "classifier guidance uses it directly, without a checkpoint (guidance.run: this recipe)"
                            : "sample, evaluate, plot, likelihood, encode and decode use it directly, without a checkpoint"
                    ],
                    location: nil))
        }
        sde = recipe.sde
        configuration = recipe.trainingConfiguration ?? TrainingConfiguration()
        seed = recipe.seed
        do throws(DataError) {
            data = try TrainingData.prepare(specification)
        } catch {
            throw .data(error)
        }
        if let problem = data.incompatibility(with: network, networkID: recipe.componentIDs[.network]) {
            throw .recipe(problem)
        }
        loss = try Self.attachingTarget(to: loss, data: specification, prepared: data, recipe: recipe)
    }

    /// `loss` with the exact score of the data's p_t attached when it regresses on a known score
    /// (`TargetScoreLoss`, such as `explicit-score-matching`) that has none yet.
    /// - Throws: `TrainingError.recipe(.incompatible)` when the data has no exact score (the
    ///   rule `explicit-score-matching-has-target` refuses such a recipe at `validate` already).
    private static func attachingTarget(
        to loss: any Loss, data specification: DataSpecification, prepared data: TrainingData, recipe: ResolvedRecipe
    ) throws(TrainingError) -> any Loss {
        guard let targetLoss = loss as? any TargetScoreLoss, targetLoss.target == nil else { return loss }
        guard let target = ExactMixtureTargetScore(data: specification, standardization: data.standardization)
        else {
            throw .recipe(
                RecipeCompatibility.Rule.missingTargetScore(recipe: recipe, dataID: specification.id)
                    ?? .incompatible(
                        headline: "the loss needs a known target score, and the data has none", notes: [],
                        location: nil))
        }
        return targetLoss.withTarget(target)
    }

    /// The seed of the network's initial parameters.
    public var modelSeed: UInt64 { SeedSequence(seed: seed).child("model").seed }

    /// The seed step `step`'s batch indices are drawn from (stream 0).
    public func batchSeed(step: Int) -> UInt64 { SeedSequence(seed: seed).child("batch").child(UInt64(step)).seed }

    /// The seed of step `step`'s loss noise (times, ε, label dropout), one stream per sample.
    public func noiseSeed(step: Int) -> UInt64 { SeedSequence(seed: seed).child("noise").child(UInt64(step)).seed }

    /// The seed of the held-out evaluation's noise: the same at every evaluation, so that
    /// evaluations are comparable.
    public var evaluationSeed: UInt64 { SeedSequence(seed: seed).child("evaluation").seed }
}
