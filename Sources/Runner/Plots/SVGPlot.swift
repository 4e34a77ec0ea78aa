import Foundation

/// A small SVG plotting surface: a square data frame with ticks, layers of points, polylines
/// and arrows, and a legend. Writes plain SVG 1.1 that browsers and converters read.
public struct SVGPlot: Sendable {
    /// The data range shown on each axis.
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// The side of the drawing, in pixels.
    public var size: Double = 560
    /// The id of the frame's clip path: distinct for each plot of one document (`SVGPlot.grid`).
    public var clipIdentifier = "frame"

    private var layers: [String] = []
    private var legend: [(label: String, color: String)] = []
    private let margin = (left: 56.0, right: 16.0, top: 36.0, bottom: 44.0)

    public init(
        xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, title: String, xLabel: String = "x₁",
        yLabel: String = "x₂"
    ) {
        self.xRange = xRange
        self.yRange = yRange
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// A frame around `points` (pairs) with 5 % padding; square when `equalAspect`.
    public static func frame(
        around points: [(Double, Double)], equalAspect: Bool = true
    ) -> (ClosedRange<Double>, ClosedRange<Double>) {
        let xs = points.map(\.0).filter(\.isFinite)
        let ys = points.map(\.1).filter(\.isFinite)
        var (x0, x1) = (xs.min() ?? -1, xs.max() ?? 1)
        var (y0, y1) = (ys.min() ?? -1, ys.max() ?? 1)
        if equalAspect {
            let half = max(x1 - x0, y1 - y0, 1e-9) / 2
            let (cx, cy) = ((x0 + x1) / 2, (y0 + y1) / 2)
            (x0, x1, y0, y1) = (cx - half, cx + half, cy - half, cy + half)
        }
        let px = max(x1 - x0, 1e-9) * 0.05
        let py = max(y1 - y0, 1e-9) * 0.05
        return ((x0 - px)...(x1 + px), (y0 - py)...(y1 + py))
    }

    private var plotWidth: Double { size - margin.left - margin.right }
    private var plotHeight: Double { size - margin.top - margin.bottom }

    func px(_ x: Double) -> Double {
        margin.left + (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * plotWidth
    }

    func py(_ y: Double) -> Double {
        margin.top + (1 - (y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound)) * plotHeight
    }

    /// Dots at `points`, at most `limit` of them (evenly thinned), in `color` with `opacity`.
    public mutating func scatter(
        _ points: [(Double, Double)], color: String, radius: Double = 1.4, opacity: Double = 0.5, label: String? = nil,
        limit: Int = 20_000
    ) {
        let stride = max(1, points.count / max(limit, 1))
        var body = "<g fill=\"\(color)\" fill-opacity=\"\(opacity)\">"
        for i in Swift.stride(from: 0, to: points.count, by: stride) {
            let (x, y) = points[i]
            guard x.isFinite, y.isFinite, xRange.contains(x), yRange.contains(y) else { continue }
            body += "<circle cx=\"\(fmt(px(x)))\" cy=\"\(fmt(py(y)))\" r=\"\(radius)\"/>"
        }
        layers.append(body + "</g>")
        if let label { legend.append((label, color)) }
    }

    /// A polyline through `points` (a trajectory or a curve).
    public mutating func line(
        _ points: [(Double, Double)], color: String, width: Double = 1, opacity: Double = 0.8, label: String? = nil
    ) {
        let path = points.filter { $0.0.isFinite && $0.1.isFinite }.map { "\(fmt(px($0.0))),\(fmt(py($0.1)))" }
        guard path.count >= 2 else { return }
        layers.append(
            "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(width)\" stroke-opacity=\"\(opacity)\" points=\"\(path.joined(separator: " "))\"/>"
        )
        if let label { legend.append((label, color)) }
    }

    /// Arrows from each point along its vector, scaled so the longest has `maximumLength` pixels.
    public mutating func arrows(
        at points: [(Double, Double)], vectors: [(Double, Double)], color: String, maximumLength: Double = 18,
        label: String? = nil
    ) {
        let longest = vectors.map { ($0.0 * $0.0 + $0.1 * $0.1).squareRoot() }.filter(\.isFinite).max() ?? 1
        let scale = longest > 0 ? maximumLength / longest : 0
        var body = "<g stroke=\"\(color)\" stroke-width=\"1\" fill=\"\(color)\">"
        for (p, v) in zip(points, vectors) where v.0.isFinite && v.1.isFinite {
            let (x0, y0) = (px(p.0), py(p.1))
            let (dx, dy) = (v.0 * scale, -v.1 * scale)
            let (x1, y1) = (x0 + dx, y0 + dy)
            body += "<line x1=\"\(fmt(x0))\" y1=\"\(fmt(y0))\" x2=\"\(fmt(x1))\" y2=\"\(fmt(y1))\"/>"
            let length = (dx * dx + dy * dy).squareRoot()
            if length > 3 {
                let (ux, uy) = (dx / length, dy / length)
                let head = min(4, length / 2)
                let a = (x1 - head * ux + head * 0.5 * uy, y1 - head * uy - head * 0.5 * ux)
                let b = (x1 - head * ux - head * 0.5 * uy, y1 - head * uy + head * 0.5 * ux)
                body += "<polygon points=\"\(fmt(x1)),\(fmt(y1)) \(fmt(a.0)),\(fmt(a.1)) \(fmt(b.0)),\(fmt(b.1))\"/>"
            }
        }
        layers.append(body + "</g>")
        if let label { legend.append((label, color)) }
    }

    /// A grey-scale density image under the other layers: `values[row][column]` on an even grid
    /// over the frame, darker where larger.
    public mutating func heatmap(_ values: [[Double]]) {
        guard let columns = values.first?.count, columns > 0 else { return }
        let rows = values.count
        let top = values.flatMap { $0 }.filter(\.isFinite).max() ?? 1
        let w = plotWidth / Double(columns)
        let h = plotHeight / Double(rows)
        var body = "<g>"
        for r in 0..<rows {
            for c in 0..<columns {
                let level = top > 0 ? max(0, min(1, values[r][c] / top)) : 0
                guard level > 0.01 else { continue }
                let shade = Int(255 - 120 * level)
                body +=
                    "<rect x=\"\(fmt(margin.left + Double(c) * w))\" y=\"\(fmt(margin.top + Double(rows - 1 - r) * h))\" width=\"\(fmt(w + 0.5))\" height=\"\(fmt(h + 0.5))\" fill=\"rgb(\(shade),\(shade),\(min(255, shade + 20)))\"/>"
            }
        }
        layers.insert(body + "</g>", at: 0)
    }

    /// The SVG document.
    public func render() -> String {
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(fmt(size))\" height=\"\(fmt(size))\" viewBox=\"0 0 \(fmt(size)) \(fmt(size))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        svg += "<text x=\"\(fmt(size / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">\(escape(title))</text>\n"
        svg +=
            "<defs><clipPath id=\"\(clipIdentifier)\"><rect x=\"\(fmt(margin.left))\" y=\"\(fmt(margin.top))\" width=\"\(fmt(plotWidth))\" height=\"\(fmt(plotHeight))\"/></clipPath></defs>\n"
        svg += "<g clip-path=\"url(#\(clipIdentifier))\">\n" + layers.joined(separator: "\n") + "\n</g>\n"
        svg +=
            "<rect x=\"\(fmt(margin.left))\" y=\"\(fmt(margin.top))\" width=\"\(fmt(plotWidth))\" height=\"\(fmt(plotHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
        for tick in SVGPlot.ticks(xRange) {
            svg +=
                "<line x1=\"\(fmt(px(tick)))\" y1=\"\(fmt(margin.top + plotHeight))\" x2=\"\(fmt(px(tick)))\" y2=\"\(fmt(margin.top + plotHeight + 4))\" stroke=\"#333\"/>"
            svg +=
                "<text x=\"\(fmt(px(tick)))\" y=\"\(fmt(margin.top + plotHeight + 16))\" text-anchor=\"middle\">\(SVGPlot.label(tick))</text>\n"
        }
        for tick in SVGPlot.ticks(yRange) {
            svg +=
                "<line x1=\"\(fmt(margin.left - 4))\" y1=\"\(fmt(py(tick)))\" x2=\"\(fmt(margin.left))\" y2=\"\(fmt(py(tick)))\" stroke=\"#333\"/>"
            svg +=
                "<text x=\"\(fmt(margin.left - 7))\" y=\"\(fmt(py(tick) + 4))\" text-anchor=\"end\">\(SVGPlot.label(tick))</text>\n"
        }
        svg +=
            "<text x=\"\(fmt(margin.left + plotWidth / 2))\" y=\"\(fmt(size - 8))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        svg +=
            "<text transform=\"translate(14 \(fmt(margin.top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        for (i, entry) in legend.enumerated() {
            let y = margin.top + 14 + Double(i) * 16
            svg +=
                "<rect x=\"\(fmt(margin.left + 8))\" y=\"\(fmt(y - 8))\" width=\"10\" height=\"10\" fill=\"\(entry.color)\"/>"
            svg += "<text x=\"\(fmt(margin.left + 24))\" y=\"\(fmt(y + 1))\">\(escape(entry.label))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// About five round tick values inside `range`.
    static func ticks(_ range: ClosedRange<Double>) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [] }
        let raw = span / 5
        let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var tick = Foundation.ceil(range.lowerBound / step) * step
        var out: [Double] = []
        while tick <= range.upperBound + 1e-12 * span {
            out.append(abs(tick) < 1e-12 * span ? 0 : tick)
            tick += step
        }
        return out
    }

    static func label(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e6 { return String(Int(value)) }
        let text = String(format: "%.3g", value)
        return text
    }

    private func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
