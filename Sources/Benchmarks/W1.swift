import Foundation
import ScoreKitCore
import ScoreKitLosses
import ScoreKitNetworks
import ScoreKitRunner
import ScoreKitSDEs

/// W1: one NCSN training step of the seed's MLP through ScoreKit's training step, batch 512.
///
/// 12 geometric σ from 10 to 0.01 (one per sample), loss mean(½σ²‖s + ε/σ‖²), Adam lr 1e-3,
/// global-norm clip 1, drawing the batch and the noise included; data: 8 Gaussians on a ring of
/// radius 4, std 0.25 (100,000 points). The components come from the registry as a recipe
/// would make them.
enum W1 {
    static let batchSize = 512
    static let dataCount = 100_000

    static func run(_ options: Options) throws {
        let registry = ComponentRegistry.standard()
        let sde = try registry.make(.sde, from: ["kind": "variance-exploding", "sigmaMin": 0.01, "sigmaMax": 10])
        let parameterization = try registry.make(.parameterization, from: ["kind": "score"])
        let loss = try registry.make(
            .loss,
            from: [
                "kind": "denoising-score-matching", "timeDistribution": "noiseLevels", "levelCount": 12,
                "sigmaMax": 10, "sigmaMin": 0.01, "weighting": "noiseVariance", "reduction": "mean",
            ])
        var model = NoiseConditionalMLP(dimension: 2, seed: 0)
        if let path = options.weights {
            let file = try SafeTensorsFile.read(path)
            for name in model.parameters.names { model.parameters[name] = try file.tensor(name, path: path) }
        }
        try measure(options, sde: sde, parameterization: parameterization, loss: loss, model: model)
    }

    static func ring(count: Int, seed: UInt64) -> Tensor {
        var stream = RandomStream(seed: seed, stream: 0)
        var normals = [Float](repeating: 0, count: 2 * count)
        normals.withUnsafeMutableBufferPointer { stream.fillNormal($0) }
        return Tensor(shape: [count, 2]) { out in
            for i in 0..<count {
                let angle = Double(stream.nextInt(below: 8)) * 2 * Double.pi / 8
                out[2 * i] = Float(4 * cos(angle)) + 0.25 * normals[2 * i]
                out[2 * i + 1] = Float(4 * sin(angle)) + 0.25 * normals[2 * i + 1]
            }
        }
    }

    static func measure<S: ForwardSDE, P: Parameterization, L: Loss>(
        _ options: Options, sde: S, parameterization: P, loss: L, model initial: NoiseConditionalMLP
    ) throws {
        let data = ring(count: dataCount, seed: 0)
        let trainer = TrainingStep(
            sde: sde, parameterization: parameterization, loss: loss, optimizer: Adam(), gradientClipNorm: 1,
            rowsPerShard: options.rowsPerShard ?? 256)
        var model = initial
        var state = trainer.optimizer.initialState(for: model.parameters)
        var step = 0
        var firstLoss: Float = .nan
        var lastLoss: Float = .nan
        func trainOnce() {
            var batchStream = RandomStream(seed: 1, stream: UInt64(step))
            let rows = (0..<batchSize).map { _ in batchStream.nextInt(below: dataCount) }
            var noise = PerSampleNoise(seed: 2, firstSample: step * batchSize)
            let batch = TrainingBatch(data: data.gathering(rows: rows))
            let report = trainer.apply(to: &model, state: &state, batch: batch, learningRate: 1e-3, noise: &noise)
            if step == 0 { firstLoss = report.loss }
            lastLoss = report.loss
            step += 1
        }
        let t0 = Meter.now()
        trainOnce()
        let firstStep = Meter.now() - t0
        for _ in 0..<options.warmup { trainOnce() }
        let rssAfterWarmup = residentMegabytes()
        let (values, busy) = timedSteps(reps: options.reps, steps: options.steps) { trainOnce() }
        let flop = 3 * 282_688 * batchSize
        emit(
            [
                "workload": "w1", "system": "scorekit", "n": batchSize, "threads": options.threads,
                "metric": "ms/step", "values": values, "other_busy": busy, "first_step_s": firstStep,
                "steps_per_rep": options.steps, "rows_per_shard": options.rowsPerShard ?? 256, "loss_first": firstLoss,
                "loss_last": lastLoss, "flop": flop,
                "rss_after_warmup_mb": rssAfterWarmup, "rss_end_mb": residentMegabytes(),
                "peak_rss_mb": peakResidentMegabytes(), "total_steps": step, "tag": options.tag,
            ], to: options.out)
    }
}
