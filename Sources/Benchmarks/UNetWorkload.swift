import ScoreKitCore
import ScoreKitNetworks
import ScoreKitRunner

/// `unet`: one forward + backward of the digits recipe's U-Net (recipes/digits-unet.yaml), the
/// workload of scripts/bench/unet_torch.py; `unet-cifar` the same at CIFAR-like shapes.
///
/// Batch `--n` (default 128) of [1, 8, 8] images; base 32 channels, multipliers [1, 2, 2], one
/// block per level, attention at side 2, 8 groups, sinusoidal embedding of t (width 128), 10
/// labels. Step: x, ε ~ N(0, I), t ~ U(1e-5, 1), labels uniform over 0 … 10 (10: the null
/// label); loss mean((F − ε)²); the gradient of every parameter, no update. The batch runs in
/// shards of `--rows-per-shard` rows (one thread each, their gradients summed in order), as
/// training runs it; a single shard uses OpenBLAS's threads inside its products instead.
///
/// `unet-cifar` (`unet_torch.py --shape cifar`): batch 32 (default) of [3, 32, 32] images; base 64
/// channels, multipliers [1, 2, 2, 2], two blocks per level, attention at side 16, 32 groups; one
/// shard of 16 rows by default.
enum UNetWorkload {
    static func run(_ options: Options, cifar: Bool = false) throws {
        let registry = ComponentRegistry.standard()
        let configuration: ConfigurationValue =
            cifar
            ? [
                "kind": "unet", "baseChannels": 64, "channelMultipliers": [1, 2, 2, 2], "blocksPerLevel": 2,
                "attentionResolutions": [16], "groupCount": 32, "embedding": "sinusoidal", "embeddingWidth": 256,
                "conditioning": "time",
            ]
            : [
                "kind": "unet", "baseChannels": 32, "channelMultipliers": [1, 2, 2], "blocksPerLevel": 1,
                "attentionResolutions": [2], "groupCount": 8, "embedding": "sinusoidal", "embeddingWidth": 128,
                "conditioning": "time",
            ]
        let network = try registry.make(.network, from: configuration)
        let sampleShape = cifar ? [3, 32, 32] : [1, 8, 8]
        let valuesPerSample = sampleShape.reduce(1, *)
        let model = network.makeModel(sampleShape: sampleShape, classCount: 10, seed: 0)
        let n = options.count == 10_000 ? (cifar ? 32 : 128) : options.count
        let rowsPerShard = options.rowsPerShard ?? (cifar ? 16 : 32)
        let ranges = Compute.shardRanges(count: n, rows: rowsPerShard)
        var step = 0
        var lastLoss: Float = .nan
        func once() {
            var noise = PerSampleNoise(seed: 3, firstSample: step * n)
            let x = noise.normal([n, valuesPerSample])
            let target = noise.normal([n, valuesPerSample])
            let times = noise.uniform([n]) * (1 - 1e-5) + 1e-5
            var labelStream = RandomStream(seed: 4, stream: UInt64(step))
            let labels = (0..<n).map { _ in labelStream.nextInt(below: 11) }.map {
                $0 == 10 ? NoiseCondition.nullLabel : $0
            }
            let parts = Compute.mapShards(ranges) { rows -> (Float, [Tensor]) in
                var shard = model
                shard.parameters = model.parameters.tracked()
                let count = rows.count
                let condition = NoiseCondition(
                    time: times.slice(alongAxis: 0, rows), signalScale: Tensor.ones([count]),
                    noiseScale: Tensor.ones([count]), labels: Array(labels[rows]))
                let error = shard(x.slice(alongAxis: 0, rows), condition) - target.slice(alongAxis: 0, rows)
                let loss = square(error).mean() * Float(count) / Float(n)
                return (loss.scalars[0], gradients(of: loss, wrt: shard.parameters.tensors))
            }
            var total = parts[0].1
            for part in parts.dropFirst() {
                for i in total.indices { total[i] = total[i] + part.1[i] }
            }
            lastLoss = parts.reduce(0) { $0 + $1.0 }
            step += 1
        }
        let t0 = Meter.now()
        once()
        let firstStep = Meter.now() - t0
        for _ in 0..<options.warmup { once() }
        let (values, busy) = timedSteps(reps: options.reps, steps: options.steps) { once() }
        emit(
            [
                "workload": cifar ? "unet-cifar" : "unet", "system": "scorekit", "n": n, "threads": options.threads,
                "metric": "ms/step",
                "values": values, "other_busy": busy, "first_step_s": firstStep, "steps_per_rep": options.steps,
                "rows_per_shard": rowsPerShard, "shards": ranges.count,
                "parameters": model.parameters.scalarCount, "loss_last": lastLoss, "tag": options.tag,
            ], to: options.out)
    }
}
