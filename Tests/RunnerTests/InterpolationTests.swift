import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

/// `scorekit interpolate` on the exact ring (no training): the decoded ends are the inputs within
/// the encode–decode round trip's tolerance, the latent path is the slerp of the encoded ends,
/// and inputs of the wrong shape, too few steps or a process of one noise level are refused.
@Suite("scorekit interpolate", .serialized)
struct InterpolationTests {
    /// Five held-out ring points and five others, as `.npy` files in `dir` (a `to` of `toRows` ×
    /// `toColumns` when another shape is wanted). Points on the data: off it the flow squeezes
    /// whole regions into thin latent sets, and decoding them back is ill-conditioned.
    static func inputs(in dir: String, toRows: Int = 5, toColumns: Int = 2) throws -> (String, String) {
        let run = try RunModel.load(
            .init(path: try writeRecipe(smallExactRecipe, named: "ring.yaml", in: dir)), registry: exactRegistry)
        let from = run.referenceData.slice(alongAxis: 0, 0..<5)
        var to = run.referenceData.slice(alongAxis: 0, 5..<10)
        if toRows != 5 || toColumns != 2 {
            var noise = PerSampleNoise(seed: 21)
            to = noise.normal([toRows, toColumns])
        }
        try NumPyFile.write(from, to: dir + "/a.npy")
        try NumPyFile.write(to, to: dir + "/b.npy")
        return (dir + "/a.npy", dir + "/b.npy")
    }

    static func session(
        _ dir: String, recipe: String = smallExactRecipe, steps: Int = 8, toRows: Int = 5,
        toColumns: Int = 2
    ) throws -> InterpolationSession {
        let (a, b) = try inputs(in: dir, toRows: toRows, toColumns: toColumns)
        var options = InterpolationSession.Options(
            source: try writeRecipe(recipe, named: "r.yaml", in: dir), from: a, to: b)
        options.steps = steps
        options.output = dir + "/out"
        return InterpolationSession(options: options, registry: exactRegistry)
    }

    @Test("the ends decode back to the inputs; the latent path is the slerp of the encoded ends; files written")
    func exactRing() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let summary = try Self.session(dir).run()
        #expect(summary.path.shape == [8, 5, 2] && summary.latents.shape == [8, 5, 2])
        print(
            "interpolate, exact ring: ends' round-trip RMS \(summary.endpointError), evaluations \(summary.evaluationCounts)"
        )
        // As the encode–decode round trip of the exact ring (`scorekit encode` tests: < 1e-3).
        #expect(summary.endpointError < 1e-3, "round-trip RMS \(summary.endpointError)")
        let a = try NumPyFile.read(dir + "/a.npy")
        let first = summary.path.slice(alongAxis: 0, 0..<1).reshaped([5, 2])
        #expect(((first - a).scalars.map { abs($0) }.max() ?? .infinity) < 3e-3)
        // The latents are the encoder's: encoding the inputs again gives the path's ends.
        var encode = FlowSession.Options(source: dir + "/r.yaml")
        encode.input = dir + "/a.npy"
        encode.output = dir + "/za.npy"
        let latents = try FlowSession(.encode, options: encode, registry: exactRegistry).run().result
        #expect(summary.latents.slice(alongAxis: 0, 0..<1).reshaped([5, 2]) == latents)
        for name in ["interpolation.npy", "interpolation-latents.npy", "interpolation.svg"] {
            #expect(summary.writtenPaths.contains(dir + "/out/" + name), "\(name) not written")
        }
        #expect(try NumPyFile.read(dir + "/out/interpolation.npy") == summary.path)
        let svg = try String(contentsOfFile: dir + "/out/interpolation.svg", encoding: .utf8)
        #expect(svg.contains("5 paths of 8 steps") && svg.components(separatedBy: "<polyline").count - 1 == 5)
    }

    @Test("mismatched counts or dimensions, one step, and a process of one noise level are refused")
    func refusals() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func message(_ session: InterpolationSession) -> String {
            do {
                _ = try session.run()
                return ""
            } catch { return error.description }
        }
        #expect(
            message(try Self.session(dir, toRows: 4))
                == "error: --from \(dir)/a.npy has shape [5, 2] and --to \(dir)/b.npy has shape [4, 2]; "
                + "row i of one is joined to row i of the other\n  give both the same number of rows")
        #expect(
            message(try Self.session(dir, toColumns: 3))
                == "\(dir)/b.npy: error: the input has shape [5, 3]; the recipe's data needs [N, 2] with N ≥ 1")
        #expect(message(try Self.session(dir, steps: 1)) == "error: --steps must be at least 2 (the two ends), got 1")
        let fixed = smallExactRecipe.replacingOccurrences(
            of: "{ kind: variance-preserving, betaMin: 0.1, betaMax: 20 }",
            with: "{ kind: variance-exploding, sigmaMin: 0.5, sigmaMax: 0.5 }"
        )
        .replacingOccurrences(of: "{ kind: euler }", with: "{ kind: langevin }")
        #expect(message(try Self.session(dir, recipe: fixed)).contains("there is no latent space to interpolate in"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/interpolation.npy"))
    }

    @Test(
        "the binary: exit 0 with the files, 1 for mismatched row counts, 64 for one step",
        .enabled(if: scorekitBinaryTestsEnabled, "the scorekit binary was not built"))
    func binary() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.inputs(in: dir)
        _ = try writeRecipe(smallExactRecipe, named: "r.yaml", in: dir)
        let ok = try runScorekit(
            ["interpolate", "r.yaml", "--from", "a.npy", "--to", "b.npy", "--steps", "4"], in: dir)
        #expect(ok.status == 0, "\(ok.standardError)")
        #expect(try NumPyFile.read(dir + "/runs/r/interpolation.npy").shape == [4, 5, 2])
        #expect(FileManager.default.fileExists(atPath: dir + "/runs/r/interpolation.svg"))
        try NumPyFile.write(Tensor.zeros([3, 2]), to: dir + "/c.npy")
        let mismatched = try runScorekit(["interpolate", "r.yaml", "--from", "a.npy", "--to", "c.npy"], in: dir)
        #expect(mismatched.status == 1 && mismatched.standardError.contains("give both the same number of rows"))
        let one = try runScorekit(
            ["interpolate", "r.yaml", "--from", "a.npy", "--to", "b.npy", "--steps", "1"], in: dir)
        #expect(one.status == 64 && one.standardError.contains("--steps must be at least 2"))
    }
}
