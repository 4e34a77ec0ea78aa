import Foundation
public import ScoreKitCore

/// `scorekit noise RECIPE --times …`: the recipe's data pushed through its forward process,
/// x_t = α(t)·x₀ + σ(t)·ε, at chosen times, drawn one panel per time (a row per process) and
/// written as `.npy`.
///
/// Every panel holds the same `count` data points x₀ (a seeded choice among the training
/// points, in the model's space: standardised when `data.standardization` is `perDimension`) and
/// the same draws ε, so panels differ only by α(t) and σ(t). `processes` puts several processes
/// side by side (each a registry id with its default settings, replacing the recipe's `sde`).
///
/// | data | picture | array |
/// |---|---|---|
/// | 2-D | SVG: a row of scatter panels per process, one per time, over x₀ | `[P, T, N, 2]` |
/// | images | PNG: per process, one row per image (the first 8), one column per time | `[P, T, N, C·H·W]` |
/// | other | none | `[P, T, N, d]` |
public struct ForwardNoiseSession: Sendable {
    /// What to draw.
    public struct Options: Sendable {
        /// A recipe file or a run folder: its `sde`, `data` and `seed` sections are read.
        public var source: String
        /// The times t, each inside every process's time range, in panel order; no repeats.
        public var times: [Double]
        /// Registry ids of processes to compare, each with its defaults; empty: the recipe's `sde`.
        public var processes: [String] = []
        /// N, the data points drawn (at most the training points).
        public var count = 1_000
        /// The picture's path (`.svg` for 2-D data, `.png` for images); the array goes beside it
        /// with the extension `.npy`. Default: `noise.svg`/`noise.png` in the run folder, or in
        /// `runs/<recipe-name>` for a recipe file.
        public var output: String?
        /// `--set` overrides of the recipe.
        public var overrides: [ConfigurationOverride] = []
        /// The seed of the choice of points and of ε; default: the recipe's seed.
        public var seed: UInt64?

        /// Options for `source` at `times`.
        public init(source: String, times: [Double]) {
            self.source = source
            self.times = times
        }
    }

    /// What a run wrote.
    public struct Summary: Sendable {
        /// x_t, `[P, T, N, d]`.
        public var noisy: Tensor
        /// x₀, `[N, d]`, in the model's space.
        public var data: Tensor
        /// One row per process: its id and forward process.
        public var processes: [(id: String, sde: any ForwardSDE)]
        /// The `.npy` written.
        public var arrayPath: String
        /// The picture written, or `nil` when the data are neither 2-D nor images.
        public var picturePath: String?
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

    /// Draws x_t at every time for every process, writes the array and the picture.
    public func run() throws(ForwardNoiseError) -> Summary {
        guard !options.times.isEmpty else { throw .noTimes }
        for (index, time) in options.times.enumerated() {
            guard time.isFinite else { throw .badTime(time, reason: "it is not a finite number") }
            if options.times[..<index].contains(time) {
                throw .badTime(time, reason: "it is given twice; give each time once")
            }
        }
        guard options.count >= 1 else { throw .badCount(options.count) }
        let (recipePath, folder) = RunSource.locate(options.source)
        let rows = try resolve(recipePath: recipePath)
        let seed = options.seed ?? rows[0].recipe.seed
        for row in rows {
            let range = row.recipe.sde.timeRange
            if let outside = options.times.first(where: { !range.contains($0) }) {
                throw .badTime(
                    outside,
                    reason:
                        "it is outside the time range [\(range.lowerBound), \(range.upperBound)] of sde '\(row.id)' "
                        + "(the data at \(range.lowerBound), the prior at \(range.upperBound))")
            }
        }
        let specification = rows[0].recipe.dataSpecification
        guard let specification else { throw .recipe(.missingSection(key: "data", purpose: "drawing the data")) }
        let prepared: TrainingData
        do throws(DataError) { prepared = try TrainingData.prepare(specification) } catch { throw .data(error) }
        let training = prepared.training
        let n = Swift.min(options.count, training.count)
        var stream = SeedSequence(seed: seed).child("noise").stream(0)
        let chosen = Array(stream.permutation(count: training.count).prefix(n)).sorted()
        let x0 = training.samples.gathering(rows: chosen)
        var noise = PerSampleNoise(seed: SeedSequence(seed: seed).child("noise").child("epsilon").seed)
        let epsilon = noise.normal(x0.shape)
        var panels: [Tensor] = []
        for row in rows {
            for time in options.times {
                let m = row.recipe.sde.marginal(at: time)
                panels.append(x0 * Float(m.signalScale) + epsilon * Float(m.noiseScale))
            }
        }
        let d = training.dimension
        let noisy = Tensor.concatenate(panels, alongAxis: 0).reshaped([rows.count, options.times.count, n, d])

        let picture = try picturePath(folder: folder, recipePath: recipePath, image: training.image != nil)
        let arrayPath =
            (picture.hasSuffix(".svg") || picture.hasSuffix(".png") ? String(picture.dropLast(4)) : picture)
            + ".npy"
        var inputs = OutputCheck.inputs(ofSource: options.source)
        inputs.append(("picture", picture))
        let lock: RunFolderLock?
        do throws(RunFolderError) { lock = try OutputCheck.prepare(output: arrayPath, inputs: inputs) } catch {
            throw .runFolder(error)
        }
        defer { lock?.release() }
        do throws(TensorFileError) { try NumPyFile.write(noisy, to: arrayPath) } catch { throw .file(error) }
        let processes = rows.map { (id: $0.id, sde: $0.recipe.sde) }
        var written: String? = nil
        let bytes: [UInt8]?
        if let format = training.image {
            let destandardized = panels.map { prepared.standardization?.invert($0) ?? $0 }
            bytes = ForwardNoisePictures.imageStrips(
                destandardized, processCount: rows.count, times: options.times, format: format
            ).encoded()
        } else if d == 2 {
            bytes = Array(
                ForwardNoisePictures.panels(noisy, data: x0, processes: processes, times: options.times).utf8)
        } else {
            bytes = nil
        }
        if let bytes {
            do throws(TensorFileError) { try FileIO.writeAtomically(bytes, to: picture) } catch { throw .file(error) }
            written = picture
        }
        return Summary(noisy: noisy, data: x0, processes: processes, arrayPath: arrayPath, picturePath: written)
    }

    /// One resolved recipe per row: the source's `sde`, `data` and `seed` sections, with the
    /// overrides, and the process replaced by each of `processes`.
    private func resolve(recipePath: String) throws(ForwardNoiseError) -> [(id: String, recipe: ResolvedRecipe)] {
        var recipe: Recipe
        do throws(RecipeError) { recipe = try Recipe.load(contentsOf: recipePath, overrides: options.overrides) } catch
        {
            throw .recipe(error)
        }
        // Only what x_t needs: the other sections (and their rules) do not matter here.
        recipe.tree = .mapping(
            (recipe.tree.entries ?? []).filter { ["sde", "data", "seed"].contains($0.key) }, at: recipe.tree.location)
        let replacements: [String?] = options.processes.isEmpty ? [nil] : options.processes
        var rows: [(id: String, recipe: ResolvedRecipe)] = []
        for id in replacements {
            var row = recipe
            if let id {
                do throws(RecipeError) {
                    row = try row.applying([ConfigurationOverride(path: "sde", value: ["kind": .string(id)])])
                } catch { throw .recipe(error) }
            }
            let resolved: ResolvedRecipe
            do throws(RecipeError) { resolved = try row.resolve(with: registry) } catch { throw .recipe(error) }
            rows.append((resolved.componentIDs[.sde]?.rawValue ?? id ?? "sde", resolved))
        }
        return rows
    }

    /// `--out`, checked against the data's picture format, or the default.
    private func picturePath(folder: String?, recipePath: String, image: Bool) throws(ForwardNoiseError) -> String {
        let suffix = image ? ".png" : ".svg"
        guard let output = options.output else {
            let target = folder ?? RunFolder.defaultPath(forRecipe: options.source)
            do {
                try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            } catch {
                throw .file(.unwritable(path: target, reason: error.localizedDescription))
            }
            return target + "/noise" + suffix
        }
        if output.hasSuffix(".svg") || output.hasSuffix(".png"), !output.hasSuffix(suffix) {
            throw .badOutput(path: output, expected: suffix, image: image)
        }
        return output
    }
}

/// Why `scorekit noise` stopped.
public enum ForwardNoiseError: Error, Sendable, CustomStringConvertible {
    case recipe(RecipeError)
    case data(DataError)
    case file(TensorFileError)
    case runFolder(RunFolderError)
    /// No time was given.
    case noTimes
    /// A time that is not finite, repeated, or outside a process's range.
    case badTime(Double, reason: String)
    /// A count below 1.
    case badCount(Int)
    /// A picture path whose extension does not fit the data.
    case badOutput(path: String, expected: String, image: Bool)

    public var description: String {
        switch self {
        case .recipe(let error): return error.description
        case .data(let error): return error.description
        case .file(let error): return error.description
        case .runFolder(let error): return error.description
        case .noTimes: return "error: give the times to draw, such as --times 0.1,0.5,1"
        case .badTime(let time, let reason):
            return "error: time \(time) in --times cannot be drawn: \(reason)"
        case .badCount(let count): return "error: --count must be at least 1, got \(count)"
        case .badOutput(let path, let expected, let image):
            return "\(path): error: \(image ? "image data are drawn as PNG" : "2-D data are drawn as SVG"); "
                + "give a path ending in \(expected) (the array is written beside it as .npy)"
        }
    }
}
