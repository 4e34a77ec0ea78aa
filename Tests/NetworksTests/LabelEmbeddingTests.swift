import ScoreKitCore
import ScoreKitNetworks
import ScoreKitTesting
import Testing

@Suite struct LabelEmbeddingTests {
    static let embedding = LabelEmbedding(name: "labelEmbedding", classCount: 3, width: 2)

    static func parameters() -> ParameterSet {
        var stream = RandomStream(seed: 5, stream: 0)
        return ParameterSet(embedding.initialParameters(stream: &stream))
    }

    @Test func theNullLabelHasItsOwnRow() {
        let p = Self.parameters()
        #expect(p.names == ["labelEmbedding.weight"])
        #expect(p.tensors[0].shape == [4, 2])
        let table = p.tensors[0]
        let e = Self.embedding([2, NoiseCondition.nullLabel, 0], count: 3, p, at: 0)
        #expect(e == table.gathering(rows: [2, 3, 0]))
        // No labels at all: every sample is unconditional.
        #expect(Self.embedding(nil, count: 2, p, at: 0) == table.gathering(rows: [3, 3]))
    }

    @Test func gradientsReachOnlyTheRowsUsed() {
        let p = Self.parameters()
        let table = p.tensors[0].tracked()
        let e = Self.embedding(
            [1, 1, NoiseCondition.nullLabel], count: 3, ParameterSet([("labelEmbedding.weight", table)]), at: 0)
        let g = gradient(of: square(e).sum(), wrt: table).scalars
        let rows = p.tensors[0].scalars
        // d/dE_1 = 2·2·E_1 (used twice), d/dE_∅ = 2·E_∅, rows 0 and 2 untouched.
        #expect(g[0] == 0 && g[1] == 0 && g[4] == 0 && g[5] == 0)
        #expect(Swift.abs(g[2] - 4 * rows[2]) < 1e-6 && Swift.abs(g[3] - 4 * rows[3]) < 1e-6)
        #expect(Swift.abs(g[6] - 2 * rows[6]) < 1e-6 && Swift.abs(g[7] - 2 * rows[7]) < 1e-6)
        let second = checkSecondOrder(
            of: { square(Self.embedding([0, 2, -1], count: 3, ParameterSet([("labelEmbedding.weight", $0)]), at: 0)) },
            at: p.tensors[0], absoluteTolerance: 1e-3, relativeTolerance: 1e-2)
        #expect(second.passed, "\(second)")
    }
}
