extension SVGPlot {
    /// `rows` of plots as one SVG document: plot c of row r at (c·size, r·size), rows and columns
    /// as wide and tall as their largest plot. Each plot keeps its own frame, ticks and legend.
    public static func grid(_ rows: [[SVGPlot]]) -> String {
        let side = rows.flatMap { $0 }.map(\.size).max() ?? 0
        let columns = rows.map(\.count).max() ?? 0
        let (width, height) = (Double(columns) * side, Double(rows.count) * side)
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\">\n"
        for (r, row) in rows.enumerated() {
            for (c, plot) in row.enumerated() {
                var panel = plot
                panel.clipIdentifier = "frame-\(r)-\(c)"
                // A nested <svg> placed by x and y: the plot's own document, shifted.
                let body = panel.render()
                let placed = "<svg x=\"\(Int(Double(c) * side))\" y=\"\(Int(Double(r) * side))\" " + body.dropFirst(5)
                svg += placed
            }
        }
        return svg + "</svg>\n"
    }
}
