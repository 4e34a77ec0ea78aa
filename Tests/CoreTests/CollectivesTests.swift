import ScoreKitCore
import ScoreKitTesting
import Testing

@Suite("Collectives: exchanges, blocks and failures across ranks")
struct CollectivesTests {
    @Test("a payload reads back what was written, bit for bit")
    func payloadRoundTrip() throws {
        var payload = Payload()
        let tensor = Tensor([1.5, -0.0, .infinity, 3e-41], shape: [2, 2])
        payload.append(tensor)
        payload.append(-42)
        payload.append([0.1, -2.5e300])
        payload.append([Int]([3, -1, 7]))
        payload.append("σ ≥ 0, mpirun")
        var reader = PayloadReader(payload.bytes)
        let back = try reader.tensor()
        #expect(back.shape == [2, 2])
        #expect(back.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern))
        #expect(try reader.integer() == -42)
        #expect(try reader.doubles() == [0.1, -2.5e300])
        #expect(try reader.integers() == [3, -1, 7])
        #expect(try reader.text() == "σ ≥ 0, mpirun")
        #expect(reader.isAtEnd)
        #expect(throws: PayloadError.truncated) { try reader.integer() }
    }

    @Test("a short or lying payload is refused, never read past its end")
    func truncatedPayloads() {
        var payload = Payload()
        payload.append([Float](repeating: 1, count: 10))
        var cut = PayloadReader(Array(payload.bytes.dropLast(3)))
        #expect(throws: PayloadError.truncated) { try cut.floats() }
        var huge = Payload()
        huge.append(Int.max / 2)
        var lying = PayloadReader(huge.bytes)
        #expect(throws: PayloadError.truncated) { try lying.doubles() }
    }

    @Test("the blocks of the ranks cover 0..<count in order, sizes within one", arguments: [1, 2, 3, 5])
    func blocksCoverTheRange(_ size: Int) {
        let groups = LocalProcessGroup.ranks(size)
        for count in [0, 1, 2, 7, 64] {
            let blocks = groups.map { Collectives(group: $0).block(of: count) }
            #expect(blocks.flatMap { Array($0) } == Array(0..<count))
            let sizes = blocks.map(\.count)
            #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1)
        }
    }

    @Test("every rank receives every rank's payload in rank order, over several exchanges")
    func exchangesInRankOrder() {
        let results = LocalProcessGroup.run(size: 3) { collectives -> [[[UInt8]]] in
            (0..<4).map { round in
                (try? collectives.exchange(Array(repeating: UInt8(collectives.rank), count: round + collectives.rank)))
                    ?? []
            }
        }
        for frames in results {
            for (round, frame) in frames.enumerated() {
                #expect(frame == (0..<3).map { Array(repeating: UInt8($0), count: round + $0) })
            }
        }
    }

    @Test("a rank's failure reaches the others in whatever exchange they are in; none exchanges again")
    func failureReachesEveryRank() {
        let outcomes = LocalProcessGroup.run(size: 3) { collectives -> [String] in
            var seen: [String] = []
            if collectives.rank == 1 {
                seen.append(collectives.fail("no recipe file at 'x.yaml'").description)
            } else {
                do throws(RankFailure) { _ = try collectives.exchange([1, 2, 3]) } catch {
                    seen.append(error.description)
                }
            }
            // After the failure every exchange throws at once, without meeting the others.
            do throws(RankFailure) { try collectives.finish() } catch { seen.append("again: \(error.rank)") }
            return seen
        }
        for seen in outcomes {
            #expect(seen == ["rank 1 of 3: no recipe file at 'x.yaml'", "again: 1"])
        }
    }

    @Test("when several ranks fail in one exchange, all agree on the lowest")
    func lowestFailingRank() {
        let failures = LocalProcessGroup.run(size: 3) { collectives in
            collectives.rank == 0
                ? (try? collectives.exchange([])).map { _ in -1 } ?? collectives.failure?.rank ?? -2
                : collectives.fail("rank \(collectives.rank) failed").rank
        }
        #expect(failures == [1, 1, 1])
    }

    @Test("one process: an exchange returns its own payload and finish does nothing")
    func singleProcess() throws {
        let collectives = Collectives.single
        #expect(try collectives.exchange([9]) == [[9]])
        try collectives.finish()
        #expect(collectives.fail("x").rank == 0)
        #expect(!collectives.isDistributed && collectives.isRoot)
    }
}
