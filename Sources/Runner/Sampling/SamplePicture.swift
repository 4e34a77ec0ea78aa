import Foundation
public import ScoreKitCore

/// The pictures of 2-D runs.
public enum SamplePicture {
    /// Samples (blue) over data (grey), in a square frame around both.
    public static func scatter(samples: Tensor, data: Tensor, title: String) -> String {
        let s = pairs(samples)
        let d = pairs(data)
        let (xr, yr) = SVGPlot.frame(around: d + s.filter { abs($0.0) < 1e6 && abs($0.1) < 1e6 })
        var plot = SVGPlot(xRange: xr, yRange: yr, title: title)
        plot.scatter(d, color: "#9a9a9a", radius: 1.2, opacity: 0.35, label: "data", limit: 1_500)
        plot.scatter(s, color: "#1f5fbf", radius: 1.2, opacity: 0.45, label: "samples", limit: 2_500)
        return plot.render()
    }

    static func pairs(_ t: Tensor) -> [(Double, Double)] {
        precondition(t.rank == 2 && t.shape[1] == 2, "a 2-D picture needs [N, 2], got \(t.shape)")
        let v = t.scalars
        return (0..<t.shape[0]).map { (Double(v[2 * $0]), Double(v[2 * $0 + 1])) }
    }
}
