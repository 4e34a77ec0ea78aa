import Foundation
public import Logging
public import ScoreKitCore
import ScoreKitNetworks

/// `scorekit evaluate`: generated samples against the recipe's held-out data (or its training
/// part when nothing is held out), with the metrics of `SampleEvaluation`, written as JSON.
///
/// ```
/// scorekit evaluate runs/ring                          # runs/ring/samples.npy → runs/ring/evaluation.json
/// scorekit evaluate recipes/ring.yaml --samples s.npy  # → s.evaluation.json
/// ```
/// Samples are in data space, as `scorekit sample` writes them; the reference is de-standardised
/// to match.
public struct EvaluationSession: Sendable {
    /// What to evaluate.
    public struct Options: Sendable {
        /// A run folder (holding `resolved-recipe.yaml`) or a recipe file.
        public var source: String
        /// The samples (`.npy`, `[N, d]`); default: `samples.npy` in the run folder.
        public var samples: String?
        /// Where to write the metrics; default: `evaluation.json` in the run folder, else
        /// beside the samples (`s.npy` → `s.evaluation.json`).
        public var output: String?
        /// `--set` overrides of the recipe (such as `evaluation.bandwidth=0.5`).
        public var overrides: [ConfigurationOverride] = []
        /// Where the session's records go; appended to the run folder's `train.log` too.
        public var logger = Logger.runFilesOnly()

        /// Options for `source`.
        public init(source: String) { self.source = source }
    }

    /// The options.
    public let options: Options
    /// The registry that resolves the recipe.
    public let registry: ComponentRegistry

    /// A session with `options` over `registry`.
    public init(options: Options, registry: ComponentRegistry) {
        self.options = options
        self.registry = registry
    }

    /// What a run produced: the report and where it was written.
    public struct Summary: Sendable {
        /// The metrics.
        public var report: EvaluationReport
        /// The JSON file.
        public var outputPath: String
    }

    /// Reads the samples and the reference, computes the metrics and writes the JSON file.
    public func run() throws(EvaluationError) -> Summary {
        let (recipePath, folder) = RunSource.locate(options.source)
        let recipe: ResolvedRecipe
        do throws(RecipeError) {
            recipe = try RunRecipe.resolve(
                recipePath: recipePath, folder: folder, overrides: options.overrides, registry: registry)
        } catch { throw .recipe(error) }
        guard let samplesPath = options.samples ?? folder.map({ $0 + "/samples.npy" }) else {
            throw .noSamples(source: options.source)
        }
        let output = options.output ?? folder.map { $0 + "/evaluation.json" } ?? Self.besides(samplesPath)
        let lock: RunFolderLock?
        do throws(RunFolderError) {
            let inputs = OutputCheck.inputs(ofSource: options.source) + [("samples file", samplesPath)]
            lock = try OutputCheck.prepare(output: output, inputs: inputs)
        } catch { throw .runFolder(error) }
        defer { lock?.release() }
        let samples: Tensor
        do throws(DataError) { samples = try DataError.readNumPy(samplesPath, role: "samples file") } catch {
            throw .data(error)
        }
        let specification: DataSpecification
        do throws(RecipeError) {
            specification = try recipe.require(\.dataSpecification, .data, for: "evaluation")
        } catch { throw .recipe(error) }
        let data: TrainingData
        do throws(DataError) { data = try TrainingData.prepare(specification) } catch { throw .data(error) }
        let part = data.heldOut ?? data.training
        let reference = data.standardization.map { $0.invert(part.samples) } ?? part.samples
        let d = reference.shape[1]
        guard samples.rank == 2, samples.shape[1] == d else {
            throw .badSamples(path: samplesPath, reason: "its shape is \(samples.shape); the data needs [N, \(d)]")
        }
        let finite = SampleEvaluation.finiteRows(samples).rows.shape[0]
        guard finite >= 2 else {
            throw .badSamples(
                path: samplesPath, reason: "\(finite) of its \(samples.shape[0]) rows are finite; at least 2 are needed"
            )
        }
        guard reference.shape[0] >= 2 else {
            throw .data(.tooFewSamples(source: data.source, count: reference.shape[0], needed: "evaluation needs 2"))
        }
        let mixture = (specification.source as? any ExactMixtureSource)?.mixture
        let evaluation = SampleEvaluation(
            configuration: recipe.evaluationConfiguration ?? EvaluationConfiguration(), seed: recipe.seed)
        var report = evaluation.evaluate(samples: samples, reference: reference, mixture: mixture)
        do throws(DataError) {
            report.image = try ImageEvaluation.metrics(
                samples: SampleEvaluation.finiteRows(samples).rows, specification: specification, data: data,
                steps: evaluation.configuration.classifierSteps, seed: recipe.seed)
        } catch { throw .data(error) }
        report.sources = [
            ("samples", samplesPath), ("recipe", recipePath),
            ("reference", "\(data.heldOut == nil ? "training" : "held-out") part of data set '\(specification.id)'"),
        ]
        do throws(TensorFileError) { try FileIO.writeAtomically(Array(report.json.utf8), to: output) } catch {
            throw .file(error)
        }
        let logger = folder.map { options.logger.appending(to: RunFolder(path: $0).log) } ?? options.logger
        let metrics = String(
            format: "energy distance %.4g, MMD² %.3g, sliced W₂ %.4g", report.energyDistance,
            report.maximumMeanDiscrepancySquared, report.slicedWasserstein2)
        logger.info(
            "evaluated \(samplesPath) against \(reference.shape[0]) reference points: \(metrics); wrote \(output)")
        return Summary(report: report, outputPath: output)
    }

    /// `s.npy` → `s.evaluation.json`.
    static func besides(_ samplesPath: String) -> String {
        (samplesPath.hasSuffix(".npy") ? String(samplesPath.dropLast(4)) : samplesPath) + ".evaluation.json"
    }
}

/// Why `scorekit evaluate` stopped.
public enum EvaluationError: Error, Sendable, CustomStringConvertible {
    case recipe(RecipeError)
    case data(DataError)
    case file(TensorFileError)
    /// A recipe file without `--samples`.
    case noSamples(source: String)
    /// A samples file of the wrong shape or without finite rows.
    case badSamples(path: String, reason: String)
    /// The output would replace an input, cannot be written, or its run folder is in use.
    case runFolder(RunFolderError)

    public var description: String {
        switch self {
        case .recipe(let error): return error.description
        case .data(let error): return error.description
        case .file(let error): return error.description
        case .runFolder(let error): return error.description
        case .noSamples(let source):
            return "\(source): error: a recipe file has no samples of its own\n"
                + "  give --samples FILE.npy, or evaluate a run folder (it holds samples.npy after `scorekit sample`)"
        case .badSamples(let path, let reason):
            return "\(path): error: cannot evaluate these samples: \(reason)\n"
                + "  give the .npy file `scorekit sample` wrote for this recipe"
        }
    }
}
