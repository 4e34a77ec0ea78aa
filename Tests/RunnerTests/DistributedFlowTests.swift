import Foundation
import ScoreKitCore
import ScoreKitRunner
import ScoreKitTesting
import Testing

/// `likelihood`, `encode` and `decode` cut their rows into shards of 256 on one process too, so
/// their values are the same bits on 1 or 2 threads and on 2 ranks (ranks of one process here;
/// scripts/check-distributed.sh runs the same under mpirun).
@Suite("Likelihood, encoding and decoding across threads and ranks", .serialized)
struct DistributedFlowTests {
    /// The exact ring with Hutchinson's estimator (2 Rademacher probes), 600 held-out points:
    /// shards of 300 and 300.
    static let recipe = exactRecipe(
        data: "{ kind: ring, count: 8000, heldOutFraction: 0.1 }",
        extra: "evaluation: { pointLimit: 100 }")

    static func run(
        _ operation: FlowSession.Operation, recipe: String, input: String? = nil, output: String,
        collectives: Collectives = .single
    ) -> [Float] {
        var options = FlowSession.Options(source: recipe)
        options.input = input
        options.limit = 600
        options.output = output
        options.collectives = collectives
        options.overrides = [
            (try? ConfigurationOverride(parsing: "likelihood.divergence=hutchinson")),
            (try? ConfigurationOverride(parsing: "likelihood.probeCount=2")),
        ].compactMap { $0 }
        return (try? FlowSession(operation, options: options, registry: exactRegistry).run())?.result.scalars ?? []
    }

    @Test("the log-likelihoods of 600 points are the same bits on 1 and 2 threads and on 2 ranks")
    func likelihood() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recipe = try writeRecipe(Self.recipe, in: dir)
        let one = withThreadCount(1) { Self.run(.likelihood, recipe: recipe, output: dir + "/one.npy") }
        let two = withThreadCount(2) { Self.run(.likelihood, recipe: recipe, output: dir + "/two.npy") }
        #expect(one.count == 600)
        #expect(one.allSatisfy { $0.isFinite })
        #expect(one == two)
        let ranks = LocalProcessGroup.run(size: 2) { collectives in
            Self.run(.likelihood, recipe: recipe, output: dir + "/ranks.npy", collectives: collectives)
        }
        #expect(ranks == [one, one])
        let written = try NumPyFile.read(dir + "/ranks.npy")
        #expect(written.scalars == one)
    }

    @Test("latents and decoded points are the same bits on 1 thread, 2 threads and 2 ranks")
    func encodeDecode() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recipe = try writeRecipe(Self.recipe, in: dir)
        let run = try RunModel.load(.init(path: recipe), registry: exactRegistry)
        try NumPyFile.write(run.referenceData.slice(alongAxis: 0, 0..<600), to: dir + "/x.npy")
        let latents = withThreadCount(1) {
            Self.run(.encode, recipe: recipe, input: dir + "/x.npy", output: dir + "/z.npy")
        }
        #expect(latents.count == 1_200)
        #expect(
            withThreadCount(2) { Self.run(.encode, recipe: recipe, input: dir + "/x.npy", output: dir + "/z2.npy") }
                == latents)
        let encoded = LocalProcessGroup.run(size: 2) { collectives in
            Self.run(.encode, recipe: recipe, input: dir + "/x.npy", output: dir + "/z3.npy", collectives: collectives)
        }
        #expect(encoded == [latents, latents])
        let decoded = withThreadCount(1) {
            Self.run(.decode, recipe: recipe, input: dir + "/z.npy", output: dir + "/d.npy")
        }
        let decodedOnRanks = LocalProcessGroup.run(size: 2) { collectives in
            Self.run(.decode, recipe: recipe, input: dir + "/z.npy", output: dir + "/d2.npy", collectives: collectives)
        }
        #expect(decoded.count == 1_200)
        #expect(decodedOnRanks == [decoded, decoded])
    }
}
