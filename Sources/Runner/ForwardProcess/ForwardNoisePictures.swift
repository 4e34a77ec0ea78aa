import Foundation
public import ScoreKitCore

/// The pictures of `scorekit noise`: the data pushed through forward processes at chosen times.
public enum ForwardNoisePictures {
    /// The side of one SVG panel, in pixels.
    public static let panelSide = 400.0
    /// Images per process in the PNG strips.
    public static let imageCount = 8

    /// 2-D data: a row of scatter panels per process, one per time, each x_t (blue, up to 2,000
    /// points) over x₀ (grey) in a square frame around x_t; titled by the process, t, α and σ.
    /// - Precondition: `noisy` is `[P, T, N, 2]` with P = `processes.count`, T = `times.count`.
    public static func panels(
        _ noisy: Tensor, data: Tensor, processes: [(id: String, sde: any ForwardSDE)], times: [Double]
    ) -> String {
        precondition(
            noisy.shape.count == 4 && noisy.shape[0] == processes.count && noisy.shape[1] == times.count
                && noisy.shape[3] == 2,
            "panels need x_t of shape [P, T, N, 2], got \(noisy.shape)")
        let n = noisy.shape[2]
        let x0 = SamplePicture.pairs(data)
        let flat = noisy.reshaped([-1, 2])
        let rows = processes.enumerated().map { p, process in
            times.enumerated().map { k, time in
                let start = (p * times.count + k) * n
                let points = SamplePicture.pairs(flat.slice(alongAxis: 0, start..<(start + n)))
                let m = process.sde.marginal(at: time)
                let (xr, yr) = SVGPlot.frame(around: points)
                var plot = SVGPlot(
                    xRange: xr, yRange: yr,
                    title:
                        "\(process.id), t = \(SVGPlot.label(time)): α \(short(m.signalScale)), σ \(short(m.noiseScale))"
                )
                plot.size = panelSide
                plot.scatter(x0, color: "#9a9a9a", radius: 1, opacity: 0.35, label: "x₀", limit: 1_000)
                plot.scatter(points, color: "#1f5fbf", radius: 1, opacity: 0.45, label: "x_t", limit: 2_000)
                return plot
            }
        }
        return SVGPlot.grid(rows)
    }

    /// Image data: per process, one row for each of the first `imageCount` images, one column per
    /// time (x_t in data space, values mapped back to levels and clamped).
    /// - Precondition: `panels` holds P·T tensors `[N, C·H·W]`, process-major.
    public static func imageStrips(
        _ panels: [Tensor], processCount: Int, times: [Double], format: ImageFormat
    ) -> PNGImage {
        precondition(panels.count == processCount * times.count, "one panel per process and time")
        let d = format.dimension
        let n = Swift.min(imageCount, panels.first?.shape[0] ?? 0)
        let pixels = panels.map { format.intensities($0.slice(alongAxis: 0, 0..<n)) }
        var rows: [[ArraySlice<UInt8>]] = []
        for p in 0..<processCount {
            for i in 0..<n {
                rows.append((0..<times.count).map { k in pixels[p * times.count + k][(i * d)..<((i + 1) * d)] })
            }
        }
        return ImagePictures.layout(rows, format: format)
    }

    /// Three significant digits.
    static func short(_ value: Double) -> String { String(format: "%.3g", value) }
}
