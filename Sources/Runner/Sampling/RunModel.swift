import Foundation
public import ScoreKitCore
import ScoreKitNetworks
import ScoreKitSamplers

/// A recipe's score model, ready to evaluate: the network rebuilt with a checkpoint's weights,
/// with its process, parameterization and what it was trained on. What `sample`, `plot` and the
/// other commands that run a trained model share.
///
/// ```swift
/// let run = try RunModel.load(source: "runs/ring", registry: registry)   // its checkpoint-final
/// let process = run.reverseProcess()                                     // any ReverseProcess
/// ```
/// The sample shape and the standardisation come from the checkpoint (`DataDescription`); the
/// data itself is prepared only when asked for (`DataUse`), for pictures over the data and
/// likelihoods of it, or for a checkpoint written before it described its data.
public struct RunModel: Sendable {
    /// Whether `load` prepares the recipe's data.
    public enum DataUse: Sendable, Equatable {
        /// Prepare it, as training did: `data` and `referenceData` are there.
        case prepared
        /// Only the checkpoint's description of it; the data is prepared only when the checkpoint
        /// has no description (written by an older version; `dataNotice` says so). Call
        /// `withData()` before reading `data`.
        case described
    }

    /// Where to find the recipe and the weights.
    public struct Source: Sendable {
        /// A run folder (holding `resolved-recipe.yaml` and a checkpoint) or a recipe file.
        public var path: String
        /// The checkpoint; default: the folder's `checkpoint-final.safetensors`, else `checkpoint.safetensors`.
        public var checkpoint: String?
        /// `--set` overrides of the recipe.
        public var overrides: [ConfigurationOverride] = []
        /// Use the raw weights instead of their moving average.
        public var useRawWeights = false

        /// The source at `path`, with the checkpoint, overrides and weights given.
        public init(
            path: String, checkpoint: String? = nil, overrides: [ConfigurationOverride] = [],
            useRawWeights: Bool = false
        ) {
            self.path = path
            self.checkpoint = checkpoint
            self.overrides = overrides
            self.useRawWeights = useRawWeights
        }
    }

    /// The recipe, resolved.
    public var recipe: ResolvedRecipe
    /// The recipe file read.
    public var recipePath: String
    /// The run folder, when the source is one.
    public var folder: String?
    /// The forward process.
    public var sde: any ForwardSDE
    /// What the network predicts.
    public var parameterization: any Parameterization
    /// The network with its weights.
    public var model: any ScoreModel
    /// What the network was trained on: sample shape, image format, standardisation.
    public var dataDescription: DataDescription
    /// K, the classes the network is conditioned on (0: unconditional).
    public var classCount = 0
    /// The classifier of a `guidance: { kind: classifier }` section, loaded from its run.
    public var guidanceClassifier: GuidanceClassifier?
    /// Why the data was prepared although the run was loaded with `.described`, for the log.
    public var dataNotice: String?
    /// The recipe's data section, to prepare the data when asked.
    private var dataSpecification: DataSpecification
    /// The data, when prepared.
    private var preparedData: TrainingData?

    /// d, the values per sample.
    public var dimension: Int { dataDescription.dimension }

    /// The recipe's data, prepared as for training.
    /// - Precondition: the run was loaded with `.prepared`, or `withData()` made this copy.
    public var data: TrainingData {
        guard let preparedData else {
            preconditionFailure("this run was loaded without its data (DataUse.described); call withData() first")
        }
        return preparedData
    }

    /// Whether `data` is there.
    public var hasData: Bool { preparedData != nil }

    /// This run with its data prepared (itself when it has it).
    /// - Throws: `RunModelError.data` when the data cannot be loaded.
    public func withData() throws(RunModelError) -> RunModel {
        guard preparedData == nil else { return self }
        var copy = self
        do throws(DataError) { copy.preparedData = try TrainingData.prepare(dataSpecification) } catch {
            throw .data(error)
        }
        return copy
    }

    /// Resolves the recipe of `source` and rebuilds its network with the checkpoint's weights;
    /// an exact network (`ExactModelArchitecture`, such as `exact-mixture`) needs no checkpoint.
    /// With `data: .described` the data is not prepared when the checkpoint describes it.
    /// - Throws: `RunModelError` naming the recipe, checkpoint or data file that is wrong.
    public static func load(
        _ source: Source, registry: ComponentRegistry, data use: DataUse = .prepared
    ) throws(RunModelError) -> RunModel {
        let (recipePath, folder) = RunSource.locate(source.path)
        let recipe: ResolvedRecipe
        let parameterization: any Parameterization
        let network: any NetworkArchitecture
        let specification: DataSpecification
        do throws(RecipeError) {
            recipe = try RunRecipe.resolve(
                recipePath: recipePath, folder: folder, overrides: source.overrides, registry: registry)
            parameterization = try recipe.require(\.parameterization, .parameterization, for: "a score model")
            network = try recipe.require(\.network, .network, for: "a score model")
            specification = try recipe.require(\.dataSpecification, .data, for: "a score model")
        } catch { throw .recipe(error) }
        func prepare() throws(RunModelError) -> TrainingData {
            do throws(DataError) { return try TrainingData.prepare(specification) } catch { throw .data(error) }
        }

        if let exact = network as? any ExactModelArchitecture {
            let model = try exact.makeExactModel(
                data: specification, sde: recipe.sde, parameterization: parameterization)
            // The mixture describes the data: vectors of its dimension, in data space.
            var data: TrainingData? = nil
            let description: DataDescription
            if use == .described, let source = specification.source as? any ExactMixtureSource {
                description = DataDescription(sampleShape: [source.mixture.dimension])
            } else {
                data = try prepare()
                description = DataDescription(data!)
            }
            var run = RunModel(
                recipe: recipe, recipePath: recipePath, folder: folder, sde: recipe.sde,
                parameterization: parameterization, model: model, dataDescription: description,
                dataSpecification: specification, preparedData: data)
            try run.loadGuidance(registry: registry)
            return run
        }
        var data: TrainingData? = nil
        if use == .prepared {
            data = try prepare()
            if let problem = data!.incompatibility(with: network, networkID: recipe.componentIDs[.network]) {
                throw .recipe(problem)
            }
        }
        let checkpointPath = source.checkpoint ?? Self.defaultCheckpoint(in: folder)
        let checkpoint: Checkpoint
        do throws(CheckpointError) { checkpoint = try Checkpoint.read(checkpointPath) } catch {
            throw .checkpoint(error)
        }
        var notice: String? = nil
        if checkpoint.dataDescription == nil, data == nil {
            data = try prepare()
            notice =
                "\(checkpointPath) does not describe its data (written before checkpoints recorded the sample "
                + "shape); prepared data set '\(specification.id)' to find it"
        }
        let description = checkpoint.dataDescription ?? DataDescription(data!)
        if let problem = Self.incompatibility(
            of: network, networkID: recipe.componentIDs[.network], with: description, data: specification)
        {
            throw .recipe(problem)
        }
        var model = network.makeModel(
            sampleShape: description.sampleShape, classCount: checkpoint.classCount, seed: 0)
        let raw = source.useRawWeights || checkpoint.average.isEmpty
        let weights = raw ? checkpoint.parameters : checkpoint.average
        do throws(CheckpointError) {
            try checkpoint.requireFinite([raw ? .model : .average], path: checkpointPath, use: .loadingNetwork)
        } catch { throw .checkpoint(error) }
        var parameters = model.parameters
        for name in parameters.names {
            guard let tensor = weights[name], tensor.shape == parameters[name]?.shape else {
                throw .mismatchedCheckpoint(path: checkpointPath, parameter: name)
            }
            parameters[name] = tensor
        }
        model.parameters = parameters
        var run = RunModel(
            recipe: recipe, recipePath: recipePath, folder: folder, sde: recipe.sde,
            parameterization: parameterization, model: model, dataDescription: description,
            classCount: checkpoint.classCount, dataNotice: notice, dataSpecification: specification,
            preparedData: data)
        try run.loadGuidance(registry: registry)
        return run
    }

    /// Checks the recipe's `guidance` section against the network (classifier-free guidance) or
    /// loads its classifier (`GuidanceClassifier`).
    private mutating func loadGuidance(registry: ComponentRegistry) throws(RunModelError) {
        guard let guidance = recipe.guidanceSettings else { return }
        switch guidance.kind {
        case .classifierFree:
            try Self.check(guidance, classCount: classCount)
        case .classifier:
            guidanceClassifier = try GuidanceClassifier.load(
                for: recipe, settings: guidance, sampleShape: dataDescription.sampleShape,
                standardization: dataDescription.standardization, registry: registry)
        }
    }

    /// K, the classes guidance draws samples for: the classifier's under classifier guidance,
    /// else the network's.
    public var guidanceClassCount: Int { guidanceClassifier?.classCount ?? classCount }

    /// Why `network` cannot take the samples `description` describes (`TrainingData`'s check).
    private static func incompatibility(
        of network: any NetworkArchitecture, networkID: ComponentID?, with description: DataDescription,
        data: DataSpecification
    ) -> RecipeError? {
        guard network is any ImageNetworkArchitecture else { return nil }
        // The check reads only the image format and the vector width, so a stand-in set of no rows does.
        let rows = DataSet(
            samples: Tensor.zeros([0, description.dimension]), image: description.image)
        return TrainingData(training: rows, source: "data set '\(data.id)'")
            .incompatibility(with: network, networkID: networkID)
    }

    /// SDE + parameterization + network, as samplers see them (unconditional).
    public func reverseProcess() -> any ReverseProcess {
        Self.process(sde: sde, parameterization: parameterization, model: model, labels: nil, scale: 1)
    }

    /// The process that draws samples `first ..< first + count`: guided toward each sample's class
    /// when the recipe has a `guidance` section (`ClassifierFreeGuidance`, or `ClassifierGuidance`
    /// by `guidanceClassifier`), else `reverseProcess()`; its x̂₀ clipped when the recipe has a
    /// `clipping` section (`ClippedProcess`).
    public func samplingProcess(first: Int, count: Int) -> any ReverseProcess {
        let process: any ReverseProcess
        if let guidance = recipe.guidanceSettings, let classifier = guidanceClassifier {
            process = Self.guided(
                reverseProcess(), by: classifier.classifier,
                classes: guidance.labels(first: first, count: count, classCount: classifier.classCount),
                scale: guidance.scale)
        } else if let guidance = recipe.guidanceSettings {
            process = Self.process(
                sde: sde, parameterization: parameterization, model: model,
                labels: guidance.labels(first: first, count: count, classCount: classCount), scale: guidance.scale)
        } else {
            process = reverseProcess()
        }
        guard let clipping = recipe.clipping else { return process }
        return Self.clipped(process, clipping)
    }

    private static func guided<P: ReverseProcess, C: NoiseConditionalClassifier>(
        _ process: P, by classifier: C, classes: [Int], scale: Double
    ) -> any ReverseProcess {
        ClassifierGuidance(base: process, classifier: classifier, classes: classes, scale: scale)
    }

    private static func clipped<P: ReverseProcess>(_ process: P, _ clipping: DenoisedClipping) -> any ReverseProcess {
        ClippedProcess(base: process, clipping: clipping)
    }

    private static func process<S: ForwardSDE, P: Parameterization, M: ScoreModel>(
        sde: S, parameterization: P, model: M, labels: [Int]?, scale: Double
    ) -> any ReverseProcess {
        var process = ModelReverseProcess(sde: sde, parameterization: parameterization, model: model)
        guard let labels else { return process }
        process.labels = labels
        return ClassifierFreeGuidance(conditional: process, scale: scale)
    }

    /// Guidance needs a network conditioned on K > 0 classes and classes below K.
    private static func check(_ guidance: GuidanceSettings, classCount: Int) throws(RunModelError) {
        guard classCount > 0 else {
            throw .guidance(
                reason: "the recipe asks for classifier-free guidance, but its network is not conditioned on labels",
                hint: "train with data.labelled: true and the loss's labelDropout (such as 0.1), or remove guidance")
        }
        if let bad = guidance.classes.first(where: { $0 >= classCount }) {
            throw .guidance(
                reason: "guidance.classes has class \(bad); the network knows classes 0..<\(classCount)",
                hint: "give classes below \(classCount)")
        }
    }

    /// Data-space samples `[N, d]` mapped into the model's (standardised) space.
    public func standardize(_ x: Tensor) -> Tensor { dataDescription.standardization?.apply(x) ?? x }

    /// Model-space samples mapped back to data space.
    public func destandardize(_ z: Tensor) -> Tensor { dataDescription.standardization?.invert(z) ?? z }

    /// The reference data in data space: the held-out part, else the training part.
    /// - Precondition: the data is prepared (`hasData`).
    public var referenceData: Tensor {
        destandardize((data.heldOut ?? data.training).samples)
    }

    static func defaultCheckpoint(in folder: String?) -> String {
        guard let folder else { return "checkpoint-final.safetensors" }
        let final = folder + "/checkpoint-final.safetensors"
        return FileManager.default.fileExists(atPath: final) ? final : folder + "/checkpoint.safetensors"
    }
}

/// Why a run's model could not be rebuilt.
public enum RunModelError: Error, Sendable, CustomStringConvertible {
    case recipe(RecipeError)
    case data(DataError)
    case checkpoint(CheckpointError)
    /// The checkpoint lacks a parameter the recipe's network has, or has it in another shape.
    case mismatchedCheckpoint(path: String, parameter: String)
    /// An exact network that cannot model the recipe's data.
    case exactModel(reason: String, hint: String)
    /// A `guidance` section the network cannot follow.
    case guidance(reason: String, hint: String)

    public var description: String {
        switch self {
        case .recipe(let error): return error.description
        case .data(let error): return error.description
        case .checkpoint(let error): return error.description
        case .mismatchedCheckpoint(let path, let parameter):
            return
                "\(path): error: the checkpoint has no parameter '\(parameter)' of the shape the recipe's network needs\n"
                + "  hint: use the recipe the checkpoint was trained with (its run folder's resolved-recipe.yaml)"
        case .exactModel(let reason, let hint), .guidance(let reason, let hint):
            return "error: \(reason)\n  hint: \(hint)"
        }
    }
}
