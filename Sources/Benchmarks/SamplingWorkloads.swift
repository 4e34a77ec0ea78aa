import Foundation
import ScoreKitCore
import ScoreKitNetworks
import ScoreKitRunner
import ScoreKitSDEs
import ScoreKitSamplers

/// W2–W5: sampling and likelihood with the peers' trained networks, as ../shared/bench/README.md
/// defines them, through ScoreKit's registered components. Samples run through the sampling
/// pipeline `scorekit sample` runs (`ShardedSampling`: shards of rows on whole panels, on the
/// configured threads); the results do not depend on the cut.
enum SamplingWorkloads {
    /// Rows of a shard: every thread gets work, and a shard's activations stay near its core.
    static func rowsPerShard(_ count: Int, threads: Int, given: Int = 0) -> Int {
        given > 0 ? given : Swift.max(1, Swift.min(512, (count + threads - 1) / threads))
    }

    /// Shards of adaptive runs: 512 rows per sample-wise controlled shard; with one step size per
    /// shard, one shard per thread (errors average over more rows, as in one batched solve).
    static func adaptiveRowsPerShard(_ options: Options) -> Int {
        guard options.stepControl == .batch, options.sampleRows == 0 else {
            return rowsPerShard(options.count, threads: options.threads, given: options.sampleRows)
        }
        return Swift.max(1, (options.count + options.threads - 1) / options.threads)
    }

    /// W4/W5's shard alignment: whole panels of 32 samples under per-sample control (results do
    /// not depend on the cut), single rows under batch control (they do; as before).
    static func adaptiveAlignment(_ options: Options) -> Int {
        options.stepControl == .batch ? 1 : PanelBatch.panelWidth
    }

    /// W4/W5's shards.
    static func adaptiveShards(_ options: Options, rows: Int) -> [Range<Int>] {
        Compute.shardRanges(count: options.count, rows: rows, alignedTo: adaptiveAlignment(options))
    }

    /// Writes `tensor` to `path` when one is given (`--write-init`, `--write-samples`).
    static func write(_ tensor: Tensor, to path: String?) throws {
        guard let path else { return }
        try NumPyFile.write(tensor, to: path)
    }

    static func registry() -> ComponentRegistry { .standard() }

    /// The peers' network from `file` (`weights_ncsn` or `weights_vp`).
    static func model(
        _ options: Options, conditioning: NoiseConditionalMLP.ConditioningInput
    ) throws
        -> NoiseConditionalMLP
    {
        guard let path = options.weights else {
            throw BenchmarkError(
                "w2–w5 need the peers' trained weights: --weights weights_ncsn.safetensors (w2) or weights_vp.safetensors (w3–w5)"
            )
        }
        var model = NoiseConditionalMLP(dimension: 2, conditioning: conditioning, seed: 0)
        let file = try SafeTensorsFile.read(path)
        for name in model.parameters.names { model.parameters[name] = try file.tensor(name, path: path) }
        return model
    }

    /// Runs `body` `reps` times, timing each run and the CPU other processes took meanwhile.
    static func timed<R>(_ reps: Int, _ body: () throws -> R) rethrows -> (values: [Double], busy: [Double], last: R) {
        var values: [Double] = []
        var busy: [Double] = []
        var last: R? = nil
        for _ in 0..<reps {
            var meter = Meter()
            meter.start()
            last = try body()
            meter.stop()
            values.append(meter.wall)
            busy.append(meter.otherBusy)
        }
        return (values, busy, last!)
    }

    static func radii(_ x: Tensor) -> (mean: Double, std: Double) {
        let s = x.scalars.map(Double.init)
        var r: [Double] = []
        for i in 0..<(s.count / 2) {
            let (a, b) = (s[2 * i], s[2 * i + 1])
            r.append((a * a + b * b).squareRoot())
        }
        let mean = r.reduce(0, +) / Double(r.count)
        var variance = 0.0
        for v in r { variance += (v - mean) * (v - mean) }
        return (mean, (variance / Double(r.count)).squareRoot())
    }

    /// W2: annealed Langevin, 12 geometric σ from 10 to 0.01, 100 steps each, ε = 2e-5, from U(−8, 8)².
    ///
    /// The peers write NCSN's step as the paper does, x ← x + (α/2)·s + √α·z with α = ε(σ/σ_L)²;
    /// ScoreKit's `stepSize` is NCSN's code's (x ← x + a·s + √(2a)·z), so the same run is
    /// `stepSize: 1e-5`. The levels are the start times of a uniform grid of 12 steps on a
    /// variance-exploding process whose σ_min is one geometric step below 0.01, ending just above
    /// t = 0 so that no final denoising step is taken (1200 evaluations, as the peers).
    static func w2(_ options: Options) throws {
        let registry = registry()
        let sigmaMin = 0.01 * Foundation.pow(0.001, 1.0 / 11)
        let sde = try registry.make(
            .sde, from: ["kind": "variance-exploding", "sigmaMin": .number(sigmaMin), "sigmaMax": 10])
        let grid = try registry.make(.timeGrid, from: ["kind": "uniform", "steps": 12, "endTime": 1e-9])
        let sampler = try registry.make(
            .sampler, from: ["kind": "annealed-langevin", "stepSize": 1e-5, "steps": 100, "initialization": "prior"])
        let parameterization = try registry.make(.parameterization, from: ["kind": "score"])
        let model = try model(options, conditioning: .logNoiseLevel)
        let n = options.count
        var start = PerSampleNoise(seed: 0)
        let initial = start.uniform([n, 2]) * 16 - 8
        try sample(
            options, workload: "w2", sde: sde, grid: grid, sampler: sampler, parameterization: parameterization,
            model: model, initial: initial, seed: 1)
    }

    /// W3: Euler–Maruyama on the reverse VP-SDE (β 0.1…20), 1000 steps from t = 1 to 1e-3, ε-prediction.
    static func w3(_ options: Options) throws {
        let registry = registry()
        let sde = try registry.make(.sde, from: ["kind": "variance-preserving", "betaMin": 0.1, "betaMax": 20])
        let grid = try registry.make(.timeGrid, from: ["kind": "uniform", "steps": 1000, "endTime": 1e-3])
        let sampler = try registry.make(.sampler, from: ["kind": "euler-maruyama"])
        let parameterization = try registry.make(.parameterization, from: ["kind": "epsilon"])
        let model = try model(options, conditioning: .time)
        var start = PerSampleNoise(seed: 0)
        let initial = start.normal([options.count, 2])
        try sample(
            options, workload: "w3", sde: sde, grid: grid, sampler: sampler, parameterization: parameterization,
            model: model, initial: initial, seed: 1)
    }

    static func sample<SDE: ForwardSDE, G: TimeGrid, S: Sampler, P: Parameterization>(
        _ options: Options, workload: String, sde: SDE, grid: G, sampler: S, parameterization: P,
        model: NoiseConditionalMLP, initial: Tensor, seed: UInt64
    ) throws {
        let process = ModelReverseProcess(sde: sde, parameterization: parameterization, model: model)
        let n = initial.shape[0]
        let rows = rowsPerShard(n, threads: options.threads, given: options.sampleRows)
        let sampling = ShardedSampling(sampler: sampler, times: grid.times(for: sde), rowsPerShard: rows)
        try write(initial, to: options.initialNoiseOutput)
        let run = try timed(options.reps) {
            try sampling.run(count: n, sampleShape: [2], seed: seed, initial: initial) { _ in process }
        }
        try write(run.last.samples, to: options.samplesOutput)
        let (mean, std) = radii(run.last.samples)
        emit(
            [
                "workload": workload, "n": n, "threads": options.threads, "metric": "s",
                "values": run.values, "other_busy": run.busy, "nfe": run.last.evaluationCount,
                "flop": 282_688 * n * run.last.evaluationCount, "rows_per_shard": rows,
                "shards": run.last.shards.count, "check_radius_mean": mean, "check_radius_std": std,
                "tag": options.tag,
            ], to: options.out)
    }

    /// The VP process of W3–W5 (β from 0.1 to 20) with the ε-predicting network.
    static func vpProcess(
        _ options: Options
    ) throws
        -> ModelReverseProcess<VariancePreservingSDE, EpsilonPrediction, NoiseConditionalMLP>
    {
        var configuration = VariancePreservingSDE.Configuration()
        configuration.betaMin = 0.1
        configuration.betaMax = 20
        return ModelReverseProcess(
            sde: try VariancePreservingSDE(configuration: configuration), parameterization: EpsilonPrediction(),
            model: try model(options, conditioning: .time))
    }

    /// RK45 at rtol = atol = 1e-5 with the options' step control and controller coefficients.
    static func rk45Configuration(_ options: Options) -> DormandPrinceSampler.Configuration {
        var configuration = DormandPrinceSampler.Configuration()
        configuration.stepControl = options.stepControl
        configuration.proportionalCoefficient = options.proportionalCoefficient
        configuration.integralCoefficient = options.integralCoefficient
        configuration.initialStepSize = options.initialStepSize
        configuration.safety = options.safety
        configuration.predictive = options.predictive
        configuration.timeVariable = options.timeVariable
        return configuration
    }

    /// W4: the probability-flow ODE from t = 1 to 1e-3 with RK45 at rtol = atol = 1e-5.
    static func w4(_ options: Options) throws {
        let sampler = try DormandPrinceSampler(configuration: rk45Configuration(options))
        let process = try vpProcess(options)
        var start = PerSampleNoise(seed: 0)
        let initial = start.normal([options.count, 2])
        let rows = adaptiveRowsPerShard(options)
        let sampling = ShardedSampling(
            sampler: sampler, times: [1, 1e-3], rowsPerShard: rows, alignment: adaptiveAlignment(options))
        try write(initial, to: options.initialNoiseOutput)
        let run = try timed(options.reps) {
            try sampling.run(count: options.count, sampleShape: [2], seed: 0, initial: initial) { _ in process }
        }
        let outcome: ShardedSamplingOutcome = run.last
        try write(outcome.samples, to: options.samplesOutput)
        let perSample = outcome.sampleEvaluationCounts
        let (mean, std) = radii(outcome.samples)
        emit(
            [
                "workload": "w4", "n": options.count, "threads": options.threads, "metric": "s",
                "values": run.values, "other_busy": run.busy, "nfe": outcome.evaluationCount,
                "nfe_mean_per_sample": Double(perSample.reduce(0, +)) / Double(perSample.count),
                "rejected_mean_per_sample": Double(outcome.rejectedStepCounts.reduce(0, +))
                    / Double(perSample.count),
                "pcoeff": options.proportionalCoefficient, "icoeff": options.integralCoefficient,
                "predictive": options.predictive, "time_variable": options.timeVariable.rawValue,
                "first_step": options.initialStepSize, "safety": options.safety,
                "rows_per_shard": rows, "step_control": options.stepControl.rawValue, "check_radius_mean": mean,
                "check_radius_std": std, "tag": options.tag,
            ], to: options.out)
    }

    /// W5: log-likelihood of 10,000 ring points through the probability-flow ODE from t = 1e-5,
    /// Hutchinson's trace with one Gaussian probe, RK45 at 1e-5.
    static func w5(_ options: Options) throws {
        var configuration = ProbabilityFlowLikelihood<DormandPrinceSampler>.Configuration()
        configuration.divergence = .hutchinson
        configuration.probe = .gaussian
        configuration.probeCount = 1
        configuration.startTime = 1e-5
        let likelihood = try ProbabilityFlowLikelihood(
            configuration: configuration, solver: try DormandPrinceSampler(configuration: rk45Configuration(options)))
        let process = try vpProcess(options)
        let data = W1.ring(count: options.count, seed: 2)
        let rows = adaptiveRowsPerShard(options)
        let start = PerSampleNoise(seed: 3)
        let run = try timed(options.reps) {
            try Compute.mapShards(adaptiveShards(options, rows: rows)) { (range) throws(SamplingError) in
                var noise = start.shard(range)!
                return try likelihood.estimate(data.slice(alongAxis: 0, range), process: process, noise: &noise)
            }
        }
        let estimates: [LikelihoodEstimate] = run.last
        let values = estimates.flatMap { $0.logLikelihoods }
        let nfe = estimates.map { $0.evaluationCount }.max() ?? 0
        let perSample = estimates.flatMap { $0.sampleEvaluationCounts }
        let nll = -values.reduce(0, +) / Double(values.count)
        emit(
            [
                "workload": "w5", "n": options.count, "threads": options.threads, "metric": "s",
                "values": run.values, "other_busy": run.busy, "nfe": nfe,
                "nfe_mean_per_sample": Double(perSample.reduce(0, +)) / Double(Swift.max(perSample.count, 1)),
                "pcoeff": options.proportionalCoefficient, "icoeff": options.integralCoefficient,
                "predictive": options.predictive, "time_variable": options.timeVariable.rawValue,
                "first_step": options.initialStepSize, "safety": options.safety,
                "rows_per_shard": rows, "step_control": options.stepControl.rawValue, "nll_nats": nll,
                "bpd": nll / (2 * Foundation.log(2.0)), "tag": options.tag,
            ], to: options.out)
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
