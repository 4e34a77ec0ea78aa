import Foundation
public import ScoreKitCore
import ScoreKitSamplers

/// `scorekit interpolate RUN --from a.npy --to b.npy --steps 8`: paths between data points
/// through the probability-flow ODE's latent space (Song et al. 2021, §4.3).
///
/// ```
/// z_a = encode(a),  z_b = encode(b),  path_k = decode(slerp(z_a, z_b; k/(steps − 1))),  k = 0 … steps − 1
/// ```
/// Row i of `from` is joined to row i of `to`. Encoding and decoding are `scorekit encode` and
/// `decode` (RK45 at the recipe's `likelihood:` tolerances, on standardised data when the recipe
/// standardises); the latents are interpolated spherically (`SphericalInterpolation`). Writes into
/// the output folder:
///
/// | file | what |
/// |---|---|
/// | `interpolation.npy` | the decoded paths `[steps, N, d]` in data space; k = 0 and steps − 1 are the round trips of the inputs |
/// | `interpolation-latents.npy` | the latent paths `[steps, N, d]` |
/// | `interpolation.svg` | 2-D data: each path as a line with a dot per step, over the data |
/// | `interpolation.png` | images: a row per pair (the first 10), a column per step |
public struct InterpolationSession: Sendable {
    /// What to read and write.
    public struct Options: Sendable {
        /// A run folder or a recipe file (with an exact network, or with `checkpoint`).
        public var source: String
        /// The checkpoint, for a recipe file with a trained network.
        public var checkpoint: String?
        /// The start points (`.npy`, `[N, d]`, data space).
        public var from: String
        /// The end points, of the same shape as `from`.
        public var to: String
        /// Points on each path, both ends included (≥ 2).
        public var steps = 8
        /// The output folder; default: the run folder, or `runs/<recipe-name>` for a recipe file.
        public var output: String?
        /// `--set` overrides (such as `likelihood.solver.rtol=1e-6`).
        public var overrides: [ConfigurationOverride] = []
        /// Use the raw weights instead of their moving average.
        public var useRawWeights = false

        /// Options joining the rows of `from` to those of `to` through the model of `source`.
        public init(source: String, from: String, to: String) {
            self.source = source
            self.from = from
            self.to = to
        }
    }

    /// What a run produced.
    public struct Summary: Sendable {
        /// The decoded paths, `[steps, N, d]`, data space.
        public var path: Tensor
        /// The latent paths, `[steps, N, d]`.
        public var latents: Tensor
        /// The files written: the arrays, then the picture if any.
        public var writtenPaths: [String]
        /// RMS of the decoded ends against the inputs (the encode–decode round trip).
        public var endpointError: Double
        /// Model evaluations: encoding both ends, and decoding every path point.
        public var evaluationCounts: (encode: Int, decode: Int)
    }

    /// Pairs drawn in the PNG strip.
    public static let pictureRowCount = 10

    public let options: Options
    public let registry: ComponentRegistry

    /// A session with `options` over `registry`.
    public init(options: Options, registry: ComponentRegistry) {
        self.options = options
        self.registry = registry
    }

    /// Encodes both ends, interpolates, decodes, and writes the paths and the picture.
    public func run() throws(InterpolationError) -> Summary {
        guard options.steps >= 2 else { throw .badSteps(options.steps) }
        let source = RunModel.Source(
            path: options.source, checkpoint: options.checkpoint, overrides: options.overrides,
            useRawWeights: options.useRawWeights)
        let run: RunModel
        do throws(RunModelError) { run = try RunModel.load(source, registry: registry) } catch { throw .model(error) }
        if let level = run.sde.singleNoiseLevel {
            throw .singleNoiseLevel(sde: run.recipe.componentIDs[.sde]?.rawValue ?? "sde", level: level)
        }
        let a = try read(options.from, run: run)
        let b = try read(options.to, run: run)
        guard a.shape == b.shape else {
            throw .mismatchedInputs(from: options.from, fromShape: a.shape, to: options.to, toShape: b.shape)
        }
        let folder =
            options.output ?? RunSource.locate(options.source).folder
            ?? RunFolder.defaultPath(forRecipe: options.source)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .file(.unwritable(path: folder, reason: error.localizedDescription))
        }
        let output = RunFolder(path: folder)
        var inputs = OutputCheck.inputs(ofSource: options.source, checkpoint: options.checkpoint)
        inputs += [("--from file", options.from), ("--to file", options.to)]
        let lock: RunFolderLock?
        do throws(RunFolderError) {
            lock = try OutputCheck.prepare(output: output.file("interpolation.npy"), inputs: inputs)
            for name in ["interpolation-latents.npy", "interpolation.svg", "interpolation.png"] {
                _ = try OutputCheck.prepare(output: output.file(name), inputs: inputs)
            }
        } catch { throw .runFolder(error) }
        defer { lock?.release() }

        let settings = run.recipe.likelihoodSettings ?? LikelihoodSettings()
        let encoder: ProbabilityFlowEncoder<DormandPrinceSampler>
        do throws(ConfigurationError) { encoder = try settings.encoder() } catch {
            throw .model(.recipe(.configuration(error)))
        }
        let n = a.shape[0]
        let process = run.reverseProcess()
        let encoded: AdaptiveOutcome
        let decoded: AdaptiveOutcome
        let latentPath: Tensor
        do throws(SamplingError) {
            encoded = try encoder.encode(
                run.standardize(Tensor.concatenate([a, b], alongAxis: 0)), process: process)
            let latents = encoded.solution
            latentPath = SphericalInterpolation.path(
                from: latents.slice(alongAxis: 0, 0..<n), to: latents.slice(alongAxis: 0, n..<(2 * n)),
                steps: options.steps)
            decoded = try encoder.decode(latentPath.reshaped([options.steps * n, -1]), process: process)
        } catch { throw .sampling(error) }
        let path = run.destandardize(decoded.solution).reshaped([options.steps, n, a.shape[1]])
        let ends = Tensor.concatenate(
            [path.slice(alongAxis: 0, 0..<1), path.slice(alongAxis: 0, (options.steps - 1)..<options.steps)],
            alongAxis: 0)
        let endpointError =
            Double(square(ends.reshaped([2 * n, -1]) - Tensor.concatenate([a, b], alongAxis: 0)).mean().scalars[0])
            .squareRoot()

        var written: [String] = []
        func write(_ tensor: Tensor, _ name: String) throws(InterpolationError) {
            do throws(TensorFileError) { try NumPyFile.write(tensor, to: output.file(name)) } catch {
                throw .file(error)
            }
            written.append(output.file(name))
        }
        try write(path, "interpolation.npy")
        try write(latentPath, "interpolation-latents.npy")
        var picture: (bytes: [UInt8], name: String)? = nil
        if let format = run.data.training.image {
            let shown = Swift.min(n, Self.pictureRowCount)
            let pixels = format.intensities(path.slice(alongAxis: 1, 0..<shown).reshaped([-1, a.shape[1]]))
            let d = format.dimension
            let rows = (0..<shown).map { i in
                (0..<options.steps).map { k in pixels[((k * shown + i) * d)..<((k * shown + i + 1) * d)] }
            }
            picture = (ImagePictures.layout(rows, format: format).encoded(), "interpolation.png")
        } else if a.shape[1] == 2 {
            picture = (Array(Self.paths(path, data: run.referenceData).utf8), "interpolation.svg")
        }
        if let picture {
            do throws(TensorFileError) {
                try FileIO.writeAtomically(picture.bytes, to: output.file(picture.name))
            } catch { throw .file(error) }
            written.append(output.file(picture.name))
        }
        return Summary(
            path: path, latents: latentPath, writtenPaths: written, endpointError: endpointError,
            evaluationCounts: (encoded.evaluationCount, decoded.evaluationCount))
    }

    /// 2-D paths `[steps, N, 2]`: a line per pair through its steps, a dot at each, the ends
    /// larger, over the data (grey).
    static func paths(_ path: Tensor, data: Tensor) -> String {
        let (steps, n) = (path.shape[0], path.shape[1])
        let points = SamplePicture.pairs(path.reshaped([-1, 2]))
        let reference = SamplePicture.pairs(data)
        let (xr, yr) = SVGPlot.frame(around: reference + points)
        var plot = SVGPlot(xRange: xr, yRange: yr, title: "\(n) paths of \(steps) steps through the latent space")
        plot.scatter(reference, color: "#9a9a9a", radius: 1.2, opacity: 0.3, label: "data", limit: 1_500)
        let colors = ["#1f5fbf", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285", "#c2255c", "#5c940d"]
        for i in 0..<n {
            let line = (0..<steps).map { points[$0 * n + i] }
            let color = colors[i % colors.count]
            plot.line(line, color: color, width: 1.2, opacity: 0.9)
            plot.scatter(line, color: color, radius: 2, opacity: 1)
            plot.scatter([line[0], line[steps - 1]], color: color, radius: 3.5, opacity: 1)
        }
        return plot.render()
    }

    /// The rows of the input at `path`, `[N, d]` with d the model's, finite.
    private func read(_ path: String, run: RunModel) throws(InterpolationError) -> Tensor {
        let tensor: Tensor
        do throws(DataError) { tensor = try DataError.readNumPy(path, role: "input file") } catch { throw .data(error) }
        guard tensor.rank == 2, tensor.shape[1] == run.dimension, tensor.shape[0] >= 1 else {
            throw .badInput(path: path, shape: tensor.shape, dimension: run.dimension)
        }
        do throws(TensorFileError) { try NumPyFile.requireFinite(tensor, path: path) } catch { throw .file(error) }
        return tensor
    }
}

/// Why `scorekit interpolate` stopped.
public enum InterpolationError: Error, Sendable, CustomStringConvertible {
    case model(RunModelError)
    case data(DataError)
    case file(TensorFileError)
    case sampling(SamplingError)
    case runFolder(RunFolderError)
    /// Fewer than 2 steps.
    case badSteps(Int)
    /// An input that is not `[N, d]`.
    case badInput(path: String, shape: [Int], dimension: Int)
    /// `from` and `to` of different shapes.
    case mismatchedInputs(from: String, fromShape: [Int], to: String, toShape: [Int])
    /// A process whose probability-flow ODE does not move (one noise level): no latent space.
    case singleNoiseLevel(sde: String, level: Double)

    public var description: String {
        switch self {
        case .model(let error): return error.description
        case .data(let error): return error.description
        case .file(let error): return error.description
        case .runFolder(let error): return error.description
        case .sampling(let error):
            return error.description
                + "\n  hint: loosen likelihood.solver.rtol/atol or raise likelihood.solver.maximumEvaluationCount"
        case .badSteps(let steps): return "error: --steps must be at least 2 (the two ends), got \(steps)"
        case .badInput(let path, let shape, let dimension):
            return "\(path): error: the input has shape \(shape); the recipe's data needs [N, \(dimension)] with N ≥ 1"
        case .mismatchedInputs(let from, let fromShape, let to, let toShape):
            return "error: --from \(from) has shape \(fromShape) and --to \(to) has shape \(toShape); "
                + "row i of one is joined to row i of the other\n  give both the same number of rows"
        case .singleNoiseLevel(let sde, let level):
            return "error: sde '\(sde)' has the single noise level σ/α = \(level) at every time: its probability-flow "
                + "ODE does not move, so there is no latent space to interpolate in\n"
                + "  interpolate a model of a process with a range of noise levels (sde.sigmaMax above sde.sigmaMin)"
        }
    }
}
