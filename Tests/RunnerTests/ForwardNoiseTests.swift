import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

/// `scorekit noise`: the data pushed through forward processes, one panel per time; the values
/// are x_t = α(t)x₀ + σ(t)ε, checked by their moments against α·mean(x₀) and α²·var(x₀) + σ².
@Suite("scorekit noise", .serialized)
struct ForwardNoiseTests {
    static let recipe = """
        sde:  { kind: variance-preserving }
        data: { kind: gaussian-mixture, count: 5000, means: [[2, -1]], variances: [[0.5, 2]] }
        seed: 3

        """

    static func session(
        _ dir: String, times: [Double], processes: [String] = [], count: Int = 4000, output: String? = nil,
        recipe: String = Self.recipe
    ) throws -> ForwardNoiseSession {
        var options = ForwardNoiseSession.Options(
            source: try writeRecipe(recipe, named: "r.yaml", in: dir), times: times)
        options.processes = processes
        options.count = count
        options.output = output ?? dir + "/noise.svg"
        return ForwardNoiseSession(options: options, registry: standardRegistry)
    }

    /// Per-dimension mean and variance (divided by N) of `[N, d]`, in Double.
    static func moments(_ x: Tensor) -> (mean: [Double], variance: [Double]) {
        let (n, d) = (x.shape[0], x.shape[1])
        let v = x.scalars.map(Double.init)
        var mean = [Double](repeating: 0, count: d)
        var variance = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += v[i * d + j] / Double(n) } }
        for i in 0..<n {
            for j in 0..<d {
                let deviation: Double = v[i * d + j] - mean[j]
                variance[j] += deviation * deviation / Double(n)
            }
        }
        return (mean, variance)
    }

    @Test("VP, sub-VP and VE side by side: every panel has mean α·mean(x₀) and variance α²·var(x₀) + σ²")
    func momentsOfEveryPanel() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let times = [0.1, 0.5, 1]
        let processes = ["variance-preserving", "sub-variance-preserving", "variance-exploding"]
        let summary = try Self.session(dir, times: times, processes: processes).run()
        #expect(summary.noisy.shape == [3, 3, 4000, 2])
        #expect(summary.processes.map(\.id) == processes)
        #expect(try NumPyFile.read(dir + "/noise.npy") == summary.noisy)
        let (mean0, variance0) = Self.moments(summary.data)
        let n = 4000.0
        for (p, process) in summary.processes.enumerated() {
            for (k, time) in times.enumerated() {
                let panel = summary.noisy.slice(alongAxis: 0, p..<(p + 1)).slice(alongAxis: 1, k..<(k + 1))
                    .reshaped([4000, 2])
                let (mean, variance) = Self.moments(panel)
                let m = process.sde.marginal(at: time)
                let (alpha, sigma) = (m.signalScale, m.noiseScale)
                for j in 0..<2 {
                    // The data's own moments are given; what varies is σε and its product with x₀.
                    let meanError = 4 * sigma / n.squareRoot()
                    #expect(
                        abs(mean[j] - alpha * mean0[j]) < meanError + 1e-5 * abs(alpha * mean0[j]),
                        "\(process.id) t = \(time) dimension \(j): mean \(mean[j]) vs \(alpha * mean0[j])")
                    let expected = alpha * alpha * variance0[j] + sigma * sigma
                    let spread =
                        4
                        * (2 * sigma * sigma * (sigma * sigma + 2 * alpha * alpha * variance0[j]) / n)
                        .squareRoot()
                    #expect(
                        abs(variance[j] - expected) < spread + 1e-5 * expected,
                        "\(process.id) t = \(time) dimension \(j): variance \(variance[j]) vs \(expected)")
                }
            }
        }
        let svg = try String(contentsOfFile: dir + "/noise.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.components(separatedBy: "<svg x=").count - 1 == 9)
        #expect(svg.contains("variance-exploding, t = 1: α 1, σ 50"))
    }

    @Test("times outside the range, repeated or absent, a bad count or picture path, an unknown process")
    func refusals() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func message(_ session: ForwardNoiseSession) -> String {
            do {
                _ = try session.run()
                return ""
            } catch { return error.description }
        }
        #expect(
            message(try Self.session(dir, times: [0.5, 2]))
                == "error: time 2.0 in --times cannot be drawn: it is outside the time range [1e-05, 1.0] of sde "
                + "'variance-preserving' (the data at 1e-05, the prior at 1.0)")
        #expect(message(try Self.session(dir, times: [0.5, 0.1, 0.5])).contains("it is given twice"))
        #expect(message(try Self.session(dir, times: [])).contains("give the times to draw"))
        #expect(message(try Self.session(dir, times: [0.5], count: 0)).contains("--count must be at least 1"))
        #expect(
            message(try Self.session(dir, times: [0.5], output: dir + "/n.png"))
                .contains("2-D data are drawn as SVG; give a path ending in .svg"))
        let unknown = message(try Self.session(dir, times: [0.5], processes: ["variance-preservng"]))
        #expect(unknown.contains("unknown sde 'variance-preservng'") && unknown.contains("did you mean"), "\(unknown)")
        // EDM's time is σ ∈ [0.002, 80]: t = 0.001 is outside it, and the message says so for that row.
        let edm = message(try Self.session(dir, times: [0.001], processes: ["variance-preserving", "edm"]))
        #expect(edm.contains("of sde 'edm'"), "\(edm)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/noise.npy"))
    }

    @Test("image data: a PNG with a row per image and a column per time")
    func images() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recipe = "sde: { kind: variance-exploding, sigmaMax: 2 }\ndata: { kind: digits }\n"
        let summary = try Self.session(dir, times: [0.2, 1], count: 20, output: dir + "/n.png", recipe: recipe).run()
        #expect(summary.noisy.shape == [1, 2, 20, 64])
        #expect(summary.picturePath == dir + "/n.png")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/n.png")))
        #expect(bytes.prefix(4) == [0x89, 0x50, 0x4E, 0x47])
        // 8 rows and 2 columns of 48-pixel tiles with 1-pixel frames.
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 2 * 49 + 1 && height == 8 * 49 + 1)
        #expect(try NumPyFile.read(dir + "/n.npy").shape == [1, 2, 20, 64])
    }

    @Test(
        "the binary: exit 0 with the files, 1 for a time outside the range, 64 for a time that is not a number",
        .enabled(if: scorekitBinaryTestsEnabled, "the scorekit binary was not built"))
    func binary() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try writeRecipe(Self.recipe, named: "r.yaml", in: dir)
        let ok = try runScorekit(["noise", "r.yaml", "--times", "0.1,1", "--count", "100"], in: dir)
        #expect(ok.status == 0, "\(ok.standardError)")
        #expect(FileManager.default.fileExists(atPath: dir + "/runs/r/noise.svg"))
        #expect(try NumPyFile.read(dir + "/runs/r/noise.npy").shape == [1, 2, 100, 2])
        let outside = try runScorekit(["noise", "r.yaml", "--times", "0.1,3"], in: dir)
        #expect(outside.status == 1 && outside.standardError.contains("time 3.0 in --times cannot be drawn"))
        let text = try runScorekit(["noise", "r.yaml", "--times", "0.1,x"], in: dir)
        #expect(text.status == 64 && text.standardError.contains("'x' is not a number"))
    }
}
