import Foundation
public import ScoreKitCore
public import ScoreKitSamplers

/// `scorekit likelihood`, `encode` and `decode`: the probability-flow ODE of a run's model (or
/// of a recipe with an exact network), integrated with RK45 at the recipe's `likelihood:`
/// tolerances.
///
/// | operation | from | to |
/// |---|---|---|
/// | likelihood | data x₀ (`.npy`, `[N, d]`, data space) | log p(x₀) per point in nats (`[N]`) |
/// | encode | data x₀ | latents x_T (`[N, d]`) |
/// | decode | latents x_T | data x₀ |
///
/// With standardised data the ODE runs on z = (x − m)/s and the likelihood is mapped back:
/// log p(x) = log p(z) − Σ_j log s_j.
public struct FlowSession: Sendable {
    /// What to compute.
    public enum Operation: String, Sendable {
        case likelihood, encode, decode
    }

    /// What to read and write.
    public struct Options: Sendable {
        /// A run folder or a recipe file (with an exact network, or with `checkpoint`).
        public var source: String
        /// The checkpoint, for a recipe file with a trained network.
        public var checkpoint: String?
        /// The input `.npy` (data for likelihood and encode, latents for decode); default for
        /// likelihood: the recipe's reference data (held-out part, else training part).
        public var input: String?
        /// The output `.npy`; default: beside the input, or in the run folder.
        public var output: String?
        /// At most this many input rows (the first ones).
        public var limit: Int?
        /// `--set` overrides (such as `likelihood.solver.rtol=1e-6`).
        public var overrides: [ConfigurationOverride] = []
        /// Use the raw weights instead of their moving average.
        public var useRawWeights = false
        /// Hutchinson's probes to use instead of drawing them (likelihood only; `.npy`,
        /// `[K, N, d]`, K = `likelihood.probeCount`, in the model's space: see `RecordedNoise`).
        public var probes: String?
        /// The ranks that share the rows (`mpirun`); rank 0 alone writes. Default: this process
        /// alone.
        public var collectives = Collectives.single

        /// Options for `source`.
        public init(source: String) { self.source = source }
    }

    /// What a run produced.
    public struct Summary: Sendable {
        /// The values written: per-point log-likelihoods `[N]`, latents or data `[N, d]`.
        public var result: Tensor
        /// Where they were written.
        public var outputPath: String
        /// The likelihood's estimate (for `likelihood`), in data space.
        public var estimate: LikelihoodEstimate?
        /// Model evaluations of the whole batch.
        public var evaluationCount: Int
        /// RMS of decode(encode(x)) − x, when asked for (`encode` with a round trip).
        public var roundTripError: Double?
    }

    /// The operation.
    public let operation: Operation
    /// The options.
    public let options: Options
    /// The registry that resolves the recipe.
    public let registry: ComponentRegistry

    /// A session running `operation` with `options` over `registry`.
    public init(_ operation: Operation, options: Options, registry: ComponentRegistry) {
        self.operation = operation
        self.options = options
        self.registry = registry
    }

    /// Reads the input, integrates and writes the output; `roundTrip` (encode only) also decodes
    /// the latents and measures the reconstruction error.
    public func run(roundTrip: Bool = false) throws(FlowSessionError) -> Summary {
        let output = options.output ?? defaultOutput
        var inputs = OutputCheck.inputs(ofSource: options.source, checkpoint: options.checkpoint)
        if let path = options.input { inputs.append(("input file", path)) }
        if let path = options.probes { inputs.append(("--probes file", path)) }
        var lock: RunFolderLock? = nil
        if options.collectives.isRoot {
            do throws(RunFolderError) { lock = try OutputCheck.prepare(output: output, inputs: inputs) } catch {
                throw .runFolder(error)
            }
        }
        defer { lock?.release() }
        let source = RunModel.Source(
            path: options.source, checkpoint: options.checkpoint, overrides: options.overrides,
            useRawWeights: options.useRawWeights)
        let run: RunModel
        do throws(RunModelError) { run = try RunModel.load(source, registry: registry) } catch { throw .model(error) }
        if let level = run.sde.singleNoiseLevel {
            throw .singleNoiseLevel(
                operation: operation.rawValue, sde: run.recipe.componentIDs[.sde]?.rawValue ?? "sde", level: level)
        }
        let settings = run.recipe.likelihoodSettings ?? LikelihoodSettings()
        var input = try read(run)
        if let limit = options.limit, input.shape[0] > limit { input = input.slice(alongAxis: 0, 0..<limit) }
        let process = run.reverseProcess()
        let likelihood: ProbabilityFlowLikelihood<DormandPrinceSampler>
        let encoder: ProbabilityFlowEncoder<DormandPrinceSampler>
        do throws(ConfigurationError) {
            likelihood = try settings.likelihood()
            encoder = try settings.encoder()
        } catch { throw .model(.recipe(.configuration(error))) }
        let shards = Self.shards(count: input.shape[0], solver: settings.solver)
        switch operation {
        case .likelihood:
            let recorded = try options.probes.map { (path) throws(FlowSessionError) in
                try recordedProbes(path, likelihood: likelihood.configuration, input: input)
            }
            let seed = SeedSequence(seed: run.recipe.seed).child("likelihood").seed
            let standardized = run.standardize(input)
            let parts = try exchange(shards) { (rows) throws(SamplingError) in
                let x = standardized.slice(alongAxis: 0, rows)
                let estimate: LikelihoodEstimate
                if var probes = recorded?.shard(rows) {
                    estimate = try likelihood.estimate(x, process: process, noise: &probes)
                    if let problem = probes.problem { throw SamplingError.noiseRecording(reason: problem) }
                } else {
                    var noise = PerSampleNoise(seed: seed, firstSample: rows.lowerBound)
                    estimate = try likelihood.estimate(x, process: process, noise: &noise)
                }
                return Self.payload(of: estimate)
            }
            var estimate = try mergedEstimate(parts)
            let logScale = run.data.standardization?.standardDeviation.reduce(0) { $0 + Foundation.log(Double($1)) }
            estimate.logLikelihoods = estimate.logLikelihoods.map { $0 - (logScale ?? 0) }
            let values = Tensor(estimate.logLikelihoods.map(Float.init), shape: [input.shape[0]])
            let output = try write(values, to: output)
            return Summary(
                result: values, outputPath: output, estimate: estimate, evaluationCount: estimate.evaluationCount)
        case .encode:
            let standardized = run.standardize(input)
            let solved = try solve(shards) { (rows) throws(SamplingError) in
                let latents = try encoder.encode(standardized.slice(alongAxis: 0, rows), process: process)
                let back = roundTrip ? try encoder.decode(latents.solution, process: process).solution : nil
                return (latents.solution, latents.evaluationCount, back)
            }
            let error = solved.companion.map { reconstruction in
                Double(square(run.destandardize(reconstruction) - input).mean().scalars[0]).squareRoot()
            }
            let output = try write(solved.solution, to: output)
            return Summary(
                result: solved.solution, outputPath: output, evaluationCount: solved.evaluationCount,
                roundTripError: error)
        case .decode:
            let solved = try solve(shards) { (rows) throws(SamplingError) in
                let decoded = try encoder.decode(input.slice(alongAxis: 0, rows), process: process)
                return (decoded.solution, decoded.evaluationCount, nil)
            }
            let data = run.destandardize(solved.solution)
            let output = try write(data, to: output)
            return Summary(result: data, outputPath: output, evaluationCount: solved.evaluationCount)
        }
    }

    /// The input rows (without an input file: the recipe's reference data).
    private func read(_ run: RunModel) throws(FlowSessionError) -> Tensor {
        guard let path = options.input else {
            guard operation == .likelihood else { throw .noInput(operation: operation.rawValue) }
            return run.referenceData
        }
        let tensor: Tensor
        do throws(DataError) { tensor = try DataError.readNumPy(path, role: "input file") } catch { throw .data(error) }
        guard tensor.rank == 2, tensor.shape[1] == run.dimension, tensor.shape[0] >= 1 else {
            throw .badInput(path: path, shape: tensor.shape, dimension: run.dimension)
        }
        do throws(TensorFileError) { try NumPyFile.requireFinite(tensor, path: path) } catch { throw .file(error) }
        return tensor
    }

    /// The `--probes` recording for `input`, checked against the likelihood's divergence and K.
    private func recordedProbes(
        _ path: String, likelihood: ProbabilityFlowLikelihood<DormandPrinceSampler>.Configuration, input: Tensor
    ) throws(FlowSessionError) -> RecordedNoise {
        let n = input.shape[0]
        let d = input.scalarCount / Swift.max(n, 1)
        let drawsProbes =
            likelihood.divergence == .hutchinson
            || (likelihood.divergence == .automatic
                && d > ProbabilityFlowLikelihood<DormandPrinceSampler>.largestExactDimension)
        guard drawsProbes else {
            throw .badProbes(
                path: path,
                reason: "this likelihood computes the exact divergence (d = \(d)), which uses no probes; "
                    + "set likelihood.divergence=hutchinson to use them")
        }
        let recording: Tensor
        do throws(TensorFileError) { recording = try NumPyFile.readFinite(path) } catch { throw .file(error) }
        let expected = [likelihood.probeCount] + input.shape
        guard recording.shape == expected else {
            throw .badProbes(
                path: path,
                reason: "the probes have shape \(recording.shape); likelihood.probeCount and the input need \(expected)"
            )
        }
        do throws(NoiseRecordingError) { return try RecordedNoise(recording: recording) } catch {
            throw .badProbes(path: path, reason: error.description)
        }
    }

    /// Beside the input (`x.npy` → `x.latents.npy`), else in the run folder (`log-likelihood.npy`).
    private var defaultOutput: String {
        let name: String
        switch operation {
        case .likelihood: name = "log-likelihood"
        case .encode: name = "latents"
        case .decode: name = "decoded"
        }
        if let input = options.input {
            return (input.hasSuffix(".npy") ? String(input.dropLast(4)) : input) + ".\(name).npy"
        }
        return (RunSource.locate(options.source).folder.map { $0 + "/" } ?? "") + "\(name).npy"
    }

    private func write(_ tensor: Tensor, to output: String) throws(FlowSessionError) -> String {
        guard options.collectives.isRoot else { return output }  // rank 0 writes
        do throws(TensorFileError) { try NumPyFile.write(tensor, to: output) } catch { throw .file(error) }
        return output
    }
}

/// Why `scorekit likelihood`, `encode` or `decode` stopped.
public enum FlowSessionError: Error, Sendable, CustomStringConvertible {
    case model(RunModelError)
    case data(DataError)
    case file(TensorFileError)
    case sampling(SamplingError)
    /// `encode` or `decode` without an input file.
    case noInput(operation: String)
    /// An input that is not `[N, d]`.
    case badInput(path: String, shape: [Int], dimension: Int)
    /// The output would replace an input, cannot be written, or its run folder is in use.
    case runFolder(RunFolderError)
    /// The `--probes` file cannot serve this likelihood.
    case badProbes(path: String, reason: String)
    /// A process of one noise level, whose probability-flow ODE does not move.
    case singleNoiseLevel(operation: String, sde: String, level: Double)

    public var description: String {
        switch self {
        case .badProbes(let path, let reason): return "\(path): error: \(reason)"
        case .singleNoiseLevel(let operation, let sde, let level):
            return "error: \(operation) integrates the probability-flow ODE, and sde '\(sde)' has the single noise "
                + "level σ/α = \(level) at every time, where that ODE does not move\n"
                + "  use a model of a process with a range of noise levels (sde.sigmaMax above sde.sigmaMin)"
        case .model(let error): return error.description
        case .data(let error): return error.description
        case .file(let error): return error.description
        case .runFolder(let error): return error.description
        case .sampling(let error):
            return error.description
                + "\n  hint: loosen likelihood.solver.rtol/atol or raise likelihood.solver.maximumEvaluationCount"
        case .noInput(let operation):
            return
                "error: \(operation) needs an input file: give --\(operation == "decode" ? "latents" : "data") FILE.npy"
        case .badInput(let path, let shape, let dimension):
            return "\(path): error: the input has shape \(shape); the recipe's data needs [N, \(dimension)] with N ≥ 1"
        }
    }
}
