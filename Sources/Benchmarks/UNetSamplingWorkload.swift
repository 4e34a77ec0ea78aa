import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitRunner
import ScoreKitSamplers

/// `unet-sample`: 1,000 (`--n`) guided digits from the U-Net of recipes/digits-unet.yaml with
/// DPM-Solver++(2M) in 20 steps on a log-SNR grid, classifier-free guidance at w = 3; the workload
/// of scripts/bench/unet_sample_torch.py.
///
/// The user's path is the benchmarked path: the run is what
///
///     scorekit sample RECIPE --checkpoint FILE --count 1000 --set 'sampler={kind: dpm-solver-plus-plus}' \
///       --set 'timeGrid={kind: log-snr, steps: 20, endTime: 1e-3, finalStep: toZero}' --set guidance.scale=3
///
/// runs: the recipe resolved with those overrides (`RunRecipe`), the network rebuilt from a
/// checkpoint (`RunModel.load`, EMA weights), the recipe's sampler and grid (`SamplingMethod`) in
/// the pipeline's shards (`ShardedSampling`, 512 rows a shard: 512 + 488 rows, one thread each),
/// each shard's process guided toward class i mod 10 for sample i (`RunModel.samplingProcess`:
/// one evaluation is the network on [x; x] with labels [c; ∅]), the prior drawn inside the
/// shards from the recipe's seed. Timed: the pipeline's `run`, not the loading or the writing.
///
/// Weights: a trained run folder with `--run DIR` (its resolved recipe and final checkpoint, with
/// the same overrides); otherwise `--recipe` (default recipes/digits-unet.yaml) at training step 0,
/// the weights `scorekit train` starts from (the recipe's model seed), written to a temporary
/// checkpoint and loaded as above, or `--weights F` (a safetensors file of the U-Net's parameter
/// names, such as `unet_sample_torch.py --export-weights F` writes) in place of them.
/// - Note: At step 0 the output convolution is zero, so the network's output, and with it ε̂, is
///   identically 0 (x̂₀ = x/α; the samples are the prior draw times ≈ 152). Every layer is still
///   computed, so the cost is that of a trained network; only the samples are meaningless.
///
/// Record: "values" are the wall ms of each of `--reps` runs of `--n` samples, "cpu_s" the
/// process's CPU seconds in each, "ms_per_1000_samples" and "samples_per_s" from their median.
/// `--write-init F` writes the prior draw (`.npy`, [n, 64]) and `--write-samples F` the samples,
/// for the cross-check against the PyTorch loop (`unet_sample_torch.py --weights W --init F`).
enum UNetSamplingWorkload {
    /// The overrides that select the sampler, grid and guidance of the workload.
    static let overrides = [
        "sampler={kind: dpm-solver-plus-plus}",
        "timeGrid={kind: log-snr, steps: 20, endTime: 1e-3, finalStep: toZero}",
        "guidance.scale=3",
    ]

    static func run(_ options: Options) throws {
        let registry = ComponentRegistry.standard()
        let overrides = try overrides.map { try ConfigurationOverride(parsing: $0) }
        let n = options.count == 10_000 ? 1_000 : options.count
        var temporaryFolder: String? = nil
        defer { if let temporaryFolder { try? FileManager.default.removeItem(atPath: temporaryFolder) } }
        let source: RunModel.Source
        let weights: String
        if let folder = options.run {
            source = RunModel.Source(path: folder, overrides: overrides)
            weights = "run"
        } else {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "scorekit-bench-\(UUID().uuidString)"
            ).path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            temporaryFolder = folder
            let checkpoint = folder + "/checkpoint.safetensors"
            try writeInitialCheckpoint(
                recipe: options.recipe, overrides: overrides, weights: options.weights, registry: registry,
                to: checkpoint)
            source = RunModel.Source(path: options.recipe, checkpoint: checkpoint, overrides: overrides)
            weights = options.weights == nil ? "step 0 (model seed)" : "file"
        }
        let run = try RunModel.load(source, registry: registry, data: .described)
        let method = try SamplingMethod(recipe: run.recipe)
        let rows = options.sampleRows > 0 ? options.sampleRows : SamplingSession.Options.defaultRowsPerShard
        let sampling = method.sharded(sde: run.sde, rowsPerShard: rows)
        let seed = run.recipe.seed
        let dimension = run.dimension
        if let path = options.initialNoiseOutput {
            // What the shards draw: sample i's prior comes from its own stream.
            let prior = SamplingMethod.prior(sde: run.sde, count: n, dimension: dimension, first: 0, seed: seed)
            try NumPyFile.write(prior, to: path)
        }
        let warmup = options.warmup == 20 ? 0 : options.warmup
        for _ in 0..<warmup {
            _ = try sampling.run(count: n, sampleShape: [dimension], seed: seed) {
                run.samplingProcess(first: $0.lowerBound, count: $0.count)
            }
        }
        var values: [Double] = []
        var cpu: [Double] = []
        var busy: [Double] = []
        var last: ShardedSamplingOutcome? = nil
        for _ in 0..<options.reps {
            var meter = Meter()
            meter.start()
            last = try sampling.run(count: n, sampleShape: [dimension], seed: seed) {
                run.samplingProcess(first: $0.lowerBound, count: $0.count)
            }
            meter.stop()
            values.append(meter.wall * 1e3)
            cpu.append(meter.cpu)
            busy.append(meter.otherBusy)
        }
        guard let outcome = last else { return }
        let samples = run.destandardize(outcome.samples)
        try SamplingWorkloads.write(samples, to: options.samplesOutput)
        let scalars = samples.scalars.map(Double.init)
        let rms = (scalars.reduce(0) { $0 + $1 * $1 } / Double(Swift.max(scalars.count, 1))).squareRoot()
        let milliseconds = median(values)
        var record: [String: Any] = [
            "workload": "unet-sample", "system": "scorekit", "n": n, "threads": options.threads, "metric": "ms",
            "values": values, "cpu_s": cpu, "other_busy": busy, "tag": options.tag,
        ]
        record["ms_per_1000_samples"] = milliseconds * 1000 / Double(n)
        record["samples_per_s"] = Double(n) / (milliseconds / 1000)
        record["nfe"] = outcome.evaluationCount
        record["steps"] = 20
        record["guidance_scale"] = 3
        record["rows_per_shard"] = rows
        record["shards"] = outcome.shards.count
        record["parameters"] = (run.model as? any TrainableModel)?.parameters.scalarCount ?? 0
        record["weights"] = weights
        record["check_sample_rms"] = rms
        emit(record, to: options.out)
    }

    /// A checkpoint of the recipe's network at training step 0, as `scorekit train` starts it
    /// (weights from the recipe's model seed; average = weights), or with the weights of `weights`.
    static func writeInitialCheckpoint(
        recipe path: String, overrides: [ConfigurationOverride], weights: String?, registry: ComponentRegistry,
        to checkpoint: String
    ) throws {
        let recipe = try RunRecipe.resolve(recipePath: path, folder: nil, overrides: overrides, registry: registry)
        let plan = try TrainingPlan(recipe: recipe)
        var state = Trainer(plan: plan).initialState()
        if let weights {
            let file = try SafeTensorsFile.read(weights)
            var parameters = state.model.parameters
            for name in parameters.names {
                let tensor = try file.tensor(name, path: weights)
                guard tensor.shape == parameters[name]?.shape else {
                    throw BenchmarkError(
                        "\(weights): '\(name)' has shape \(tensor.shape), the network's is \(parameters[name]?.shape ?? [])"
                    )
                }
                parameters[name] = tensor
            }
            state.model.parameters = parameters
            state.average = plan.configuration.ema.initialState(for: parameters)
        }
        try Checkpoint(state: state, plan: plan, recipe: recipe.yaml).write(to: checkpoint)
    }
}
