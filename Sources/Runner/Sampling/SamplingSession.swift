import Foundation
public import ScoreKitCore

/// `scorekit sample`: draws samples from a trained run (or from a recipe and a checkpoint) with
/// the recipe's time grid and sampler, and writes them as `.npy` with a scatter picture.
///
/// Samples are drawn in chunks; because all noise comes from per-sample streams, the result does
/// not depend on the chunk size (`PerSampleNoise`). EMA weights are used when the checkpoint has them.
public struct SamplingSession: Sendable {
    public struct Options: Sendable {
        /// A run folder (holding `resolved-recipe.yaml` and a checkpoint) or a recipe file.
        public var source: String
        /// The checkpoint; default: the run folder's `checkpoint-final.safetensors`, else `checkpoint.safetensors`.
        public var checkpoint: String?
        public var overrides: [ConfigurationOverride] = []
        /// How many samples to draw.
        public var count = 10_000
        /// Prior noise to start from (`.npy`, `[count, d]`), instead of drawing it.
        public var initialNoise: String?
        /// Where to write the samples; default: `samples.npy` in the run folder.
        public var output: String?
        /// The seed of the sampling noise; default: the recipe's seed.
        public var seed: UInt64?
        /// Use the raw weights instead of their moving average.
        public var useRawWeights = false
        /// Samples per chunk.
        public var chunkSize = 2_000

        public init(source: String) { self.source = source }
    }

    /// What a run produced.
    public struct Summary: Sendable {
        public var samples: Tensor
        public var samplesPath: String
        public var picturePath: String?
        public var evaluationCount: Int
        public var seconds: Double
    }

    public let options: Options
    public let registry: ComponentRegistry

    public init(options: Options, registry: ComponentRegistry) {
        self.options = options
        self.registry = registry
    }

    public func run(progress: (Int, Int) -> Void = { _, _ in }) throws(SamplingSessionError) -> Summary {
        let start = Date()
        let (recipePath, folder) = locate()
        let recipe: ResolvedRecipe
        do throws(RecipeError) {
            recipe = try Recipe.load(contentsOf: recipePath, overrides: options.overrides).resolve(with: registry)
        } catch { throw .recipe(error) }
        let sampler: any Sampler
        let grid: any TimeGrid
        do throws(RecipeError) {
            sampler = try recipe.require(\.sampler, .sampler, for: "sampling")
            grid = try recipe.require(\.timeGrid, .timeGrid, for: "sampling")
        } catch { throw .recipe(error) }
        let plan: TrainingPlan
        do throws(TrainingError) { plan = try TrainingPlan(recipe: recipe) } catch { throw .training(error) }

        let checkpointPath = options.checkpoint ?? Self.defaultCheckpoint(in: folder)
        let checkpoint: Checkpoint
        do throws(CheckpointError) { checkpoint = try Checkpoint.read(checkpointPath) } catch {
            throw .checkpoint(error)
        }
        let dimension = plan.data.training.dimension
        var model = plan.network.makeModel(sampleShape: [dimension], classCount: checkpoint.classCount, seed: 0)
        let weights = options.useRawWeights || checkpoint.average.isEmpty ? checkpoint.parameters : checkpoint.average
        var parameters = model.parameters
        for name in parameters.names {
            guard let tensor = weights[name], tensor.shape == parameters[name]?.shape else {
                throw .mismatchedCheckpoint(path: checkpointPath, parameter: name)
            }
            parameters[name] = tensor
        }
        model.parameters = parameters

        let count = options.count
        var initial: Tensor? = nil
        if let path = options.initialNoise {
            do throws(TensorFileError) { initial = try NumPyFile.read(path) } catch { throw .file(error) }
            guard initial?.shape == [count, dimension] else {
                throw .badInitialNoise(path: path, shape: initial?.shape ?? [], expected: [count, dimension])
            }
        }
        let seed = options.seed ?? recipe.seed
        var chunks: [Tensor] = []
        var evaluations = 0
        var done = 0
        while done < count {
            let n = min(options.chunkSize, count - done)
            let start = initial?.slice(alongAxis: 0, done..<(done + n))
            let (x, nfe) = try Self.draw(
                sampler: sampler, grid: grid, sde: plan.sde, parameterization: plan.parameterization, model: model,
                count: n, dimension: dimension, first: done, seed: seed, initial: start)
            chunks.append(x)
            evaluations += nfe
            done += n
            progress(done, count)
        }
        var samples = Tensor.concatenate(chunks, alongAxis: 0)
        if let standardization = plan.data.standardization { samples = standardization.invert(samples) }

        let output = options.output ?? (folder.map { $0 + "/samples.npy" } ?? "samples.npy")
        do throws(TensorFileError) { try NumPyFile.write(samples, to: output) } catch { throw .file(error) }
        var picture: String? = nil
        if dimension == 2 {
            let path = (output.hasSuffix(".npy") ? String(output.dropLast(4)) : output) + ".svg"
            let data = plan.data.heldOut?.samples ?? plan.data.training.samples
            let shown = plan.data.standardization.map { $0.invert(data) } ?? data
            let svg = SamplePicture.scatter(
                samples: samples, data: shown,
                title: "\(recipe.componentIDs[.sampler].map { "\($0)" } ?? "samples"): \(count) samples")
            do throws(TensorFileError) { try FileIO.writeAtomically(Array(svg.utf8), to: path) } catch {
                throw .file(error)
            }
            picture = path
        }
        return Summary(
            samples: samples, samplesPath: output, picturePath: picture, evaluationCount: evaluations,
            seconds: Date().timeIntervalSince(start))
    }

    /// One chunk, with the existentials opened.
    static func draw<S: Sampler, G: TimeGrid, SDE: ForwardSDE, P: Parameterization, M: ScoreModel>(
        sampler: S, grid: G, sde: SDE, parameterization: P, model: M, count: Int, dimension: Int, first: Int,
        seed: UInt64, initial: Tensor?
    ) throws(SamplingSessionError) -> (Tensor, Int) {
        let process = ModelReverseProcess(sde: sde, parameterization: parameterization, model: model)
        let times = grid.times(for: sde)
        var noise = PerSampleNoise(seed: seed, firstSample: first)
        let start = initial ?? noise.normal([count, dimension]) * Float(sde.priorStandardDeviation)
        do throws(SamplingError) {
            if let adaptive = sampler as? any AdaptiveSampler {
                let outcome = try Self.runAdaptively(adaptive, process: process, times: times, initial: start)
                return outcome
            }
            let outcome = try runSampler(sampler, process: process, times: times, initial: start, noise: &noise)
            return (outcome.samples, outcome.evaluationCount)
        } catch { throw .sampling(error) }
    }

    static func runAdaptively<S: AdaptiveSampler, P: ReverseProcess>(
        _ sampler: S, process: P, times: [Double], initial: Tensor
    ) throws(SamplingError) -> (Tensor, Int) {
        let outcome = try runAdaptive(sampler, process: process, times: times, initial: initial)
        return (outcome.solution, outcome.evaluationCount)
    }

    /// The recipe file and the run folder `options.source` names.
    func locate() -> (recipe: String, folder: String?) { RunSource.locate(options.source) }

    static func defaultCheckpoint(in folder: String?) -> String {
        guard let folder else { return "checkpoint-final.safetensors" }
        let final = folder + "/checkpoint-final.safetensors"
        return FileManager.default.fileExists(atPath: final) ? final : folder + "/checkpoint.safetensors"
    }
}

/// Why `scorekit sample` stopped.
public enum SamplingSessionError: Error, Sendable, CustomStringConvertible {
    case recipe(RecipeError)
    case training(TrainingError)
    case checkpoint(CheckpointError)
    case file(TensorFileError)
    case sampling(SamplingError)
    case mismatchedCheckpoint(path: String, parameter: String)
    case badInitialNoise(path: String, shape: [Int], expected: [Int])

    public var description: String {
        switch self {
        case let .recipe(error): return error.description
        case let .training(error): return error.description
        case let .checkpoint(error): return error.description
        case let .file(error): return error.description
        case let .sampling(error): return error.description
        case let .mismatchedCheckpoint(path, parameter):
            return
                "\(path): error: the checkpoint has no parameter '\(parameter)' of the shape the recipe's network needs\n"
                + "  hint: sample with the recipe the checkpoint was trained with (its run folder's resolved-recipe.yaml)"
        case let .badInitialNoise(path, shape, expected):
            return "\(path): error: the initial noise has shape \(shape); --count and the data need \(expected)"
        }
    }
}
