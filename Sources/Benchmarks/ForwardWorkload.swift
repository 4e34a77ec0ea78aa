import ScoreKitCore
import ScoreKitNetworks

/// `fwd`: one untracked forward pass of the seed's MLP (142,178 parameters, 2-D) over `--n` rows
/// (default 512, a sampling shard) with a time per row, on the calling thread: the model
/// evaluation that W3–W5 repeat, alone. Reports the median µs per pass and GFLOP/s.
enum ForwardWorkload {
    static func run(_ options: Options) {
        let rows = options.count == 10_000 ? 512 : options.count
        let model = NoiseConditionalMLP(dimension: 2, conditioning: .time, seed: 0)
        var noise = PerSampleNoise(seed: 1)
        let x = noise.normal([rows, 2])
        let m = Marginal(signalScale: 0.8, noiseScale: 0.6, signalScaleDerivative: -0.3, noiseScaleDerivative: 0.4)
        let condition = NoiseCondition(
            times: (0..<rows).map { 0.001 + Double($0) / Double(rows) }, marginals: Array(repeating: m, count: rows))
        var sink: Float = 0
        for _ in 0..<options.warmup { sink += model(x, condition).scalars[0] }
        let run = timedSteps(reps: options.reps, steps: options.steps) { sink += model(x, condition).scalars[0] }
        // Multiply-adds per row: 1·32 + 32·32 + 34·256 + 2·256·256 + 256·2.
        let flops = 2.0 * Double(32 + 32 * 32 + 34 * 256 + 2 * 256 * 256 + 256 * 2) * Double(rows)
        let microseconds = run.values.map { $0 * 1e3 }
        emit(
            [
                "workload": "fwd", "n": rows, "threads": 1, "metric": "us", "values": microseconds,
                "gflops": microseconds.map { flops / ($0 * 1e3) }, "other_busy": run.busy,
                "check": Double(sink.isFinite ? 1 : 0), "tag": options.tag,
            ], to: options.out)
    }
}
