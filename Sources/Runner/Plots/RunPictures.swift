import Foundation
public import ScoreKitCore

/// The pictures of a run, as SVG text: the loss curve and the per-time-bin loss from
/// `metrics.jsonl`, and for 2-D data the score field over the data density and a few samples'
/// trajectories. `scorekit train`, `sample` and `plot` write them.
///
/// Points are thinned so that a picture stays small (tens of kilobytes): at most 500 points per
/// curve, a 24 × 24 arrow grid, a 48 × 48 density image, 8 trajectories.
public enum RunPictures {
    /// Arrows per side of the score field.
    public static let arrowGridSide = 24
    /// Cells per side of the density image.
    public static let densityGridSide = 48
    /// Samples whose trajectories are drawn.
    public static let trajectoryCount = 8
    /// Points per loss curve at most.
    public static let curvePointLimit = 500

    /// The training loss (and the held-out loss, where evaluated) against the step, on a log
    /// scale when every value is positive.
    public static func lossCurve(_ metrics: [TrainingMetrics], title: String = "training loss") -> String {
        let logScale = metrics.allSatisfy { !($0.loss <= 0) && !(($0.heldOutLoss ?? 1) <= 0) }
        func y(_ value: Double) -> Double { logScale ? Foundation.log10(value) : value }
        let stride = max(1, metrics.count / curvePointLimit)
        let thinned = Swift.stride(from: 0, to: metrics.count, by: stride).map { metrics[$0] }
        let loss = thinned.map { (Double($0.step), y($0.loss)) }
        let heldOut = metrics.compactMap { m in m.heldOutLoss.map { (Double(m.step), y($0)) } }
        let (xr, yr) = SVGPlot.frame(around: loss + heldOut, equalAspect: false)
        var plot = SVGPlot(
            xRange: xr, yRange: yr, title: title, xLabel: "step", yLabel: logScale ? "log₁₀ loss" : "loss")
        plot.line(loss, color: "#1f5fbf", width: 1.2, label: "training (window mean)")
        if !heldOut.isEmpty {
            plot.line(heldOut, color: "#d9480f", width: 1.2, label: "held-out (averaged weights)")
            plot.scatter(heldOut, color: "#d9480f", radius: 2, opacity: 0.9)
        }
        return plot.render()
    }

    /// The mean loss term per bin of normalised time (t − t_min)/(t_max − t_min), for the first
    /// and the last logged window: where in time the model still errs.
    public static func lossByTime(_ metrics: [TrainingMetrics], title: String = "loss by time") -> String {
        func points(_ m: TrainingMetrics) -> [(Double, Double)] {
            let k = Double(max(m.lossByTime.count, 1))
            return m.lossByTime.enumerated().compactMap { i, v in v.map { ((Double(i) + 0.5) / k, $0) } }
        }
        let first = metrics.first.map(points) ?? []
        let last = metrics.count > 1 ? metrics.last.map(points) ?? [] : []
        let (_, yr) = SVGPlot.frame(around: first + last, equalAspect: false)
        var plot = SVGPlot(
            xRange: -0.02...1.02, yRange: yr, title: title, xLabel: "normalised time (t − t_min)/(t_max − t_min)",
            yLabel: "mean loss term")
        if let m = metrics.first {
            plot.line(first, color: "#9a9a9a", width: 1.2, label: "step \(m.step)")
            plot.scatter(first, color: "#9a9a9a", radius: 2, opacity: 0.9)
        }
        if metrics.count > 1, let m = metrics.last {
            plot.line(last, color: "#1f5fbf", width: 1.5, label: "step \(m.step)")
            plot.scatter(last, color: "#1f5fbf", radius: 2, opacity: 0.9)
        }
        return plot.render()
    }

    /// The model's score at noise level σ/α = `noiseLevel` (model space; default 0.1 × the data's
    /// RMS standard deviation) as arrows on a grid, over the data's density (a histogram).
    /// Arrow length ∝ √‖s‖, so that arrows near the data stay visible beside the long ones far away.
    /// - Precondition: 2-D data.
    public static func scoreField(_ run: RunModel, noiseLevel: Double? = nil) -> String {
        precondition(run.dimension == 2, "a score field picture needs 2-D data")
        let data = run.destandardize(run.data.training.samples)
        let dataPairs = SamplePicture.pairs(data)
        let (xr, yr) = SVGPlot.frame(around: dataPairs)
        let level = noiseLevel ?? 0.1 * rootMeanSquareDeviation(run.data.training.samples)
        let range = run.sde.timeRange
        let t = min(
            max(run.sde.time(forLogSignalToNoiseRatio: -2 * Foundation.log(max(level, 1e-12))), range.lowerBound),
            range.upperBound)
        let marginal = run.sde.marginal(at: t)
        var plot = SVGPlot(
            xRange: xr, yRange: yr,
            title: String(format: "score at t = %.3g (σ/α = %.3g); length ∝ √‖s‖", t, marginal.noiseLevel))
        plot.heatmap(histogram(dataPairs, x: xr, y: yr, side: densityGridSide))
        let n = arrowGridSide
        var grid: [Float] = []
        var points: [(Double, Double)] = []
        for r in 0..<n {
            for c in 0..<n {
                let x = xr.lowerBound + (Double(c) + 0.5) / Double(n) * (xr.upperBound - xr.lowerBound)
                let y = yr.lowerBound + (Double(r) + 0.5) / Double(n) * (yr.upperBound - yr.lowerBound)
                points.append((x, y))
                grid += [Float(x), Float(y)]
            }
        }
        let z = run.standardize(Tensor(grid, shape: [n * n, 2]))
        let score = Autodiff.withoutRecording { run.reverseProcess().score(z, at: t) }.scalars
        let scale = run.data.standardization?.standardDeviation.map(Double.init) ?? [1, 1]
        let vectors = (0..<(n * n)).map { i -> (Double, Double) in
            let (sx, sy) = (Double(score[2 * i]) / scale[0], Double(score[2 * i + 1]) / scale[1])
            let length = (sx * sx + sy * sy).squareRoot()
            let shrink = length > 0 ? 1 / length.squareRoot() : 0
            return (sx * shrink, sy * shrink)
        }
        plot.arrows(at: points, vectors: vectors, color: "#1f5fbf", maximumLength: 14, label: "model score")
        return plot.render()
    }

    /// The first `trajectoryCount` samples' paths through the sampler's steps (the position after
    /// each step of the time grid, from the prior draw), over the data; their ends as dots.
    /// Sample i is sample i of `scorekit sample` with the same seed (and `initial` noise).
    /// - Precondition: 2-D data.
    public static func trajectories(
        _ run: RunModel, method: SamplingMethod, seed: UInt64, initial: Tensor? = nil,
        recorded: RecordedNoise? = nil
    ) throws(SamplingError) -> String {
        precondition(run.dimension == 2, "a trajectory picture needs 2-D data")
        let count = trajectoryCount
        let start = initial.map { $0.slice(alongAxis: 0, 0..<min(count, $0.shape[0])) }
        let rows = start?.shape[0] ?? count
        var steps: [Tensor] = []
        let process = run.samplingProcess(first: 0, count: rows)
        // The same prior draw the run makes when no initial noise is given (same stream and counter).
        var replay = recorded?.shard(0..<rows)
        let first =
            start
            ?? SamplingMethod.prior(sde: run.sde, count: rows, dimension: 2, first: 0, seed: seed, recorded: &replay)
        steps.append(first)
        let (final, _) = try method.drawStepwise(
            process: process, count: rows, dimension: 2, first: 0, seed: seed, initial: replay == nil ? start : first,
            recorded: replay
        ) { event in
            if case .stepFinished(_, _, _, let sample) = event { steps.append(sample) }
        }
        let paths = steps.map { SamplePicture.pairs(run.destandardize($0)) }
        let data = SamplePicture.pairs(run.referenceData)
        let (xr, yr) = SVGPlot.frame(around: data)
        let name = run.recipe.componentIDs[.sampler].map { "\($0)" } ?? "sampler"
        var plot = SVGPlot(
            xRange: xr, yRange: yr, title: "\(name): \(rows) trajectories over \(steps.count - 1) steps")
        plot.scatter(data, color: "#9a9a9a", radius: 1.2, opacity: 0.3, label: "data", limit: 1_000)
        let colors = ["#1f5fbf", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285", "#c2255c", "#5c940d"]
        let stride = max(1, paths.count / curvePointLimit)
        for i in 0..<rows {
            var line = Swift.stride(from: 0, to: paths.count, by: stride).map { paths[$0][i] }
            if (paths.count - 1) % stride != 0 { line.append(paths[paths.count - 1][i]) }
            plot.line(line, color: colors[i % colors.count], width: 1, opacity: 0.8)
        }
        plot.scatter(
            SamplePicture.pairs(run.destandardize(final)), color: "#000000", radius: 2.5, opacity: 1,
            label: "final samples")
        return plot.render()
    }

    /// √(mean over dimensions of the variance) of `samples` `[N, d]`.
    static func rootMeanSquareDeviation(_ samples: Tensor) -> Double {
        let map = Standardization(fitting: samples)
        let mean = map.standardDeviation.reduce(0) { $0 + Double($1 * $1) } / Double(max(map.dimension, 1))
        return mean.squareRoot()
    }

    /// Counts of `points` in a side × side grid over the frame, `[row][column]`, row 0 at the bottom.
    static func histogram(
        _ points: [(Double, Double)], x: ClosedRange<Double>, y: ClosedRange<Double>, side: Int
    ) -> [[Double]] {
        var counts = [[Double]](repeating: [Double](repeating: 0, count: side), count: side)
        let (w, h) = (x.upperBound - x.lowerBound, y.upperBound - y.lowerBound)
        for (px, py) in points where x.contains(px) && y.contains(py) {
            let c = min(Int((px - x.lowerBound) / w * Double(side)), side - 1)
            let r = min(Int((py - y.lowerBound) / h * Double(side)), side - 1)
            counts[r][c] += 1
        }
        return counts
    }
}
