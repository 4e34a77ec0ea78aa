import Foundation
public import ScoreKitCore
public import ScoreKitSamplers

/// A recipe after resolution: typed components, and the tree `resolved-recipe.yaml` records.
///
/// Only `sde` is always present; commands take what they use with `require(_:_:for:)`:
/// ```swift
/// let loss = try resolved.require(\.loss, .loss, for: "training")
/// ```
/// `data` and `training` are kept as written (with their locations) and also made:
/// `dataSpecification` (through the registry's data family) and `trainingConfiguration`.
/// `evaluation` and `likelihood` are also decoded (`evaluationConfiguration`, `likelihoodSettings`).
public struct ResolvedRecipe: Sendable {
    /// What messages call the recipe: the path it was loaded from.
    public var source: String
    /// The forward process.
    public var sde: any ForwardSDE
    /// What the network predicts.
    public var parameterization: (any Parameterization)?
    /// The training objective.
    public var loss: (any Loss)?
    /// The network architecture.
    public var network: (any NetworkArchitecture)?
    /// The optimizer.
    public var optimizer: (any Optimizer)?
    /// The sampler's time grid.
    public var timeGrid: (any TimeGrid)?
    /// The sampler.
    public var sampler: (any Sampler)?
    /// The `data` section as written (a mapping).
    public var data: ConfigurationValue?
    /// The `training` section as written (a mapping).
    public var training: ConfigurationValue?
    /// The `data` section made through the registry's data family, defaults filled: `nil` when
    /// the recipe has no `data` section or the registry registers no data sets (then `data`
    /// is kept as written, unchecked).
    public var dataSpecification: DataSpecification?
    /// The `training` section decoded strictly, defaults filled; `nil` when the recipe has none.
    public var trainingConfiguration: TrainingConfiguration?
    /// The `evaluation` section decoded strictly, defaults filled; `nil` when the recipe has none.
    public var evaluationConfiguration: EvaluationConfiguration?
    /// The `guidance` section decoded strictly, defaults filled; `nil` when the recipe has none.
    public var guidanceSettings: GuidanceSettings?
    /// The `clipping` section decoded strictly, defaults filled; `nil` when the recipe has none.
    public var clipping: DenoisedClipping?
    /// The `conditioning` section decoded strictly, defaults filled; `nil` when the recipe has none.
    public var conditioning: ConditioningSettings?
    /// The `likelihood` section decoded strictly, defaults filled; `nil` when the recipe has none.
    public var likelihoodSettings: LikelihoodSettings?
    /// The `likelihood` section as written (a mapping).
    public var likelihood: ConfigurationValue?
    /// The `evaluation` section as written (a mapping).
    public var evaluation: ConfigurationValue?
    /// The root seed (0 unless the recipe or an override sets one).
    public var seed: UInt64
    /// The id each component section named.
    public var componentIDs: [RecipeSection: ComponentID]
    /// Every section present, in `RecipeSection` order: components with `kind` first and
    /// every default filled, the seed always. It has no locations.
    public var tree: ConfigurationValue
    /// The tree as written, overrides applied, with locations: for messages that point into it.
    public var written: ConfigurationValue

    /// Creates a resolved recipe from its parts; `Recipe.resolve(with:compatibility:)` makes them.
    public init(
        source: String, sde: any ForwardSDE, parameterization: (any Parameterization)?, loss: (any Loss)?,
        network: (any NetworkArchitecture)?, optimizer: (any Optimizer)?, timeGrid: (any TimeGrid)?,
        sampler: (any Sampler)?, data: ConfigurationValue?, training: ConfigurationValue?,
        likelihood: ConfigurationValue?, evaluation: ConfigurationValue?, seed: UInt64,
        componentIDs: [RecipeSection: ComponentID], tree: ConfigurationValue, written: ConfigurationValue
    ) {
        self.source = source
        self.sde = sde
        self.parameterization = parameterization
        self.loss = loss
        self.network = network
        self.optimizer = optimizer
        self.timeGrid = timeGrid
        self.sampler = sampler
        self.data = data
        self.training = training
        self.likelihood = likelihood
        self.evaluation = evaluation
        self.seed = seed
        self.componentIDs = componentIDs
        self.tree = tree
        self.written = written
    }

    /// The file name every run writes beside its outputs.
    public static let fileName = "resolved-recipe.yaml"

    /// `tree` as YAML, headed by a comment naming the source recipe.
    public var yaml: String {
        YAMLWriter.render(tree, header: ["Resolved from \(source): defaults filled, overrides and seed applied."])
    }

    /// The component or section at `keyPath`, or an error naming `section` and `purpose`.
    /// - Throws: `RecipeError.missingSection` when the recipe has no such section.
    public func require<Value>(
        _ keyPath: KeyPath<ResolvedRecipe, Value?>, _ section: RecipeSection, for purpose: String
    ) throws(RecipeError) -> Value {
        guard let value = self[keyPath: keyPath] else {
            throw .missingSection(key: section.rawValue, purpose: purpose)
        }
        return value
    }

    /// Writes `yaml` to `path`, atomically (a temporary file, then a rename).
    /// - Throws: `RecipeError.fileAccessFailed` naming `path` when it cannot be written.
    public func write(to path: String) throws(RecipeError) {
        do {
            try FileIO.writeAtomically(Array(yaml.utf8), to: path)
        } catch {
            throw .fileAccessFailed(path: path, reason: "\(error)")
        }
    }

    /// Writes `resolved-recipe.yaml` into `folder`, creating it if needed; returns the file's path.
    @discardableResult
    public func writeResolvedRecipe(inFolder folder: String) throws(RecipeError) -> String {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .fileAccessFailed(path: folder, reason: error.localizedDescription)
        }
        let path = folder.hasSuffix("/") ? folder + Self.fileName : folder + "/" + Self.fileName
        try write(to: path)
        return path
    }
}
