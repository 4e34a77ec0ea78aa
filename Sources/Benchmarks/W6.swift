import ScoreKitCore

/// W6: sgemm throughput through `Tensor.matmul` at the score MLP's shapes and at 2048³.
enum W6 {
    static let shapes: [(name: String, m: Int, k: Int, n: Int)] = [
        ("fwd l1 512x34x256", 512, 34, 256),
        ("fwd l2/l3 512x256x256", 512, 256, 256),
        ("fwd l4 512x256x2", 512, 256, 2),
        ("square 2048^3", 2048, 2048, 2048),
        ("bwd dW l2 256x512x256", 256, 512, 256),
        ("sampling l2 10000x256x256", 10000, 256, 256),
    ]

    static func run(_ options: Options) {
        var noise = PerSampleNoise(seed: 0)
        for shape in shapes {
            let a = noise.normal([shape.m, shape.k])
            let b = noise.normal([shape.k, shape.n])
            let flop = 2.0 * Double(shape.m * shape.k * shape.n)
            var values: [Double] = []
            var busy: [Double] = []
            for _ in 0..<options.reps {
                _ = Tensor.matmul(a, b)
                var calls = 1
                while true {  // calibrate so a sample lasts ≥ 40 ms
                    let t = Meter.now()
                    for _ in 0..<calls { _ = Tensor.matmul(a, b) }
                    if Meter.now() - t >= 0.04 || calls >= 1 << 20 { break }
                    calls *= 2
                }
                var samples: [Double] = []
                var meter = Meter()
                meter.start()
                for _ in 0..<5 {
                    let t = Meter.now()
                    for _ in 0..<calls { _ = Tensor.matmul(a, b) }
                    samples.append((Meter.now() - t) / Double(calls))
                }
                meter.stop()
                values.append(flop / median(samples) / 1e9)
                busy.append(meter.otherBusy)
            }
            emit(
                [
                    "workload": "w6", "system": "scorekit-sgemm", "shape": shape.name, "M": shape.m, "K": shape.k,
                    "N": shape.n, "threads": options.threads, "metric": "GFLOP/s", "values": values,
                    "other_busy": busy, "tag": options.tag,
                ], to: options.out)
        }
    }
}
