import Foundation
import ScoreKitCore
import ScoreKitRunner
import ScoreKitSamplers
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The elements of an SVG document, parsed as XML.
final class SVGElements: NSObject, XMLParserDelegate {
    private(set) var names: [String] = []
    private(set) var attributes: [[String: String]] = []

    /// Parses `svg`; records an issue when it is not well-formed XML.
    init(_ svg: String) {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        #expect(parser.parse(), "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String]
    ) {
        names.append(name)
        self.attributes.append(attributes)
    }

    /// How many elements are named `name`.
    func count(_ name: String) -> Int { names.filter { $0 == name }.count }

    /// The numeric attribute `key` of every `name` element.
    func values(_ name: String, _ key: String) -> [Double] {
        zip(names, attributes).compactMap { $0 == name ? $1[key].flatMap(Double.init) : nil }
    }
}

/// The registry of `scorekit`.
let pictureRegistry = ComponentRegistry.standard()

/// The run pictures: well-formed SVG with the stated number of elements, all inside the drawing.
@Suite("run pictures", .serialized)
struct RunPicturesTests {
    static func metrics(_ count: Int) -> [TrainingMetrics] {
        (1...count).map { i in
            var m = TrainingMetrics(
                step: 10 * i, loss: 2 / Double(i), lossByTime: [1, nil, 0.5, 0.25], learningRate: 1e-3,
                gradientNorm: 1, stepsPerSecond: 100)
            if i % 10 == 0 { m.heldOutLoss = 2.2 / Double(i) }
            return m
        }
    }

    @Test("the loss curve is one polyline of at most 500 points, thinned, with held-out dots")
    func lossCurve() {
        let svg = SVGElements(RunPictures.lossCurve(Self.metrics(2000)))
        #expect(svg.count("polyline") == 2)
        let points = svg.attributes[svg.names.firstIndex(of: "polyline")!]["points"]!.split(separator: " ")
        #expect(points.count == 500)
        #expect(svg.count("circle") == 200)
        #expect(svg.values("circle", "cx").allSatisfy { (0...560).contains($0) })
    }

    @Test("loss by time: the first and the last window, empty bins left out")
    func lossByTime() {
        let svg = SVGElements(RunPictures.lossByTime(Self.metrics(3)))
        #expect(svg.count("polyline") == 2 && svg.count("circle") == 6)
    }

    @Test("metrics.jsonl lines read back, half a line skipped")
    func readMetrics() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lines = Self.metrics(3).map(\.json).joined(separator: "\n") + "\n{\"step\":40,\"lo"
        try lines.write(toFile: dir + "/metrics.jsonl", atomically: true, encoding: .utf8)
        let read = try TrainingMetrics.read(contentsOf: dir + "/metrics.jsonl")
        #expect(read.map(\.step) == [10, 20, 30] && read[1].lossByTime == [1, nil, 0.5, 0.25])
        #expect(read[0].loss == 2 && read[2].heldOutLoss == nil)
    }

    @Test("train draws loss curves and the score field; sample draws samples and trajectories; plot redraws all")
    func runPictures() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recipe =
            tinyRecipe(steps: 60)
                + """
                timeGrid: { kind: uniform, steps: 12, endTime: 1e-5, finalStep: toZero }
                sampler:  { kind: annealed-langevin, stepSize: 2e-5, steps: 5 }

                """
        var options = TrainingSession.Options(recipePath: try writeRecipe(recipe, in: dir))
        options.outputFolder = dir + "/run"
        let summary = try TrainingSession(options: options, registry: pictureRegistry).run()
        let run = RunFolder(path: dir + "/run")
        #expect(summary.picturePaths == ["loss.svg", "loss-by-time.svg", "score-field.svg"].map(run.file))

        let field = SVGElements(try String(contentsOfFile: run.file("score-field.svg"), encoding: .utf8))
        let side = RunPictures.arrowGridSide
        // Arrows are the lines without their own stroke (tick marks have one).
        let arrowLines = zip(field.names, field.attributes).filter { $0 == "line" && $1["stroke"] == nil }
        #expect(arrowLines.count == side * side)
        let arrows = arrowLines.compactMap { $1["x2"].flatMap(Double.init) }
        #expect(arrows.allSatisfy { $0.isFinite && (0...560).contains($0) })
        let cells = field.count("rect")
        #expect(cells > 20 && cells <= RunPictures.densityGridSide * RunPictures.densityGridSide + 10)

        var sampling = SamplingSession.Options(source: run.path)
        sampling.count = 300
        let sampled = try SamplingSession(options: sampling, registry: pictureRegistry).run()
        #expect(sampled.picturePaths == ["samples.svg", "samples-trajectories.svg"].map(run.file))
        let paths = SVGElements(try String(contentsOfFile: run.file("samples-trajectories.svg"), encoding: .utf8))
        #expect(paths.count("polyline") == RunPictures.trajectoryCount)
        // 13 grid times: the prior draw and one point per step.
        let polyline = paths.attributes[paths.names.firstIndex(of: "polyline")!]["points"]!
        #expect(polyline.split(separator: " ").count == 13)
        let scatter = SVGElements(try String(contentsOfFile: run.file("samples.svg"), encoding: .utf8))
        #expect(scatter.count("circle") <= 300 + 5_000)

        for name in ["loss.svg", "score-field.svg", "samples.svg"] {
            try FileManager.default.removeItem(atPath: run.file(name))
        }
        let (written, skipped) = try PlotSession(options: .init(folder: run.path), registry: pictureRegistry).run()
        #expect(
            Set(written)
                == Set(
                    ["loss.svg", "loss-by-time.svg", "score-field.svg", "samples.svg", "samples-trajectories.svg"].map(
                        run.file)))
        #expect(skipped.isEmpty)
        for path in written {
            let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            #expect(size < 400_000, "\(path) has \(size) bytes")
        }
    }
}
