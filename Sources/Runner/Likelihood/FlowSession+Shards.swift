public import ScoreKitCore
import ScoreKitSamplers

/// How `likelihood`, `encode` and `decode` cut their rows: shards of `rowsPerShard` rows that run
/// in parallel, each as a region (single-threaded BLAS), and across the ranks of `mpirun` by
/// blocks of shards. Each row's solve has its own steps (`stepControl: perSample`), so a row's
/// result depends on its values and index only: the same bits on any thread or rank count.
/// With `stepControl: batch` the rows share their steps, and the input stays one shard.
extension FlowSession {
    /// Rows per shard.
    public static let rowsPerShard = 256

    /// The shards of `count` rows for `solver`'s step control.
    static func shards(count: Int, solver: DormandPrinceSampler.Configuration) -> [Range<Int>] {
        solver.stepControl == .perSample ? Compute.shardRanges(count: count, rows: rowsPerShard) : [0..<count]
    }

    /// `body` on this rank's shards, in parallel; every shard's payload, in shard order, on every rank.
    func exchange(
        _ shards: [Range<Int>], _ body: (Range<Int>) throws(SamplingError) -> Payload
    ) throws(FlowSessionError) -> [PayloadReader] {
        let collectives = options.collectives
        let owned = Array(shards[collectives.block(of: shards.count)])
        let mine: [Payload]
        do throws(SamplingError) { mine = try Compute.mapShards(owned, asRegion: true, body) } catch {
            throw .sampling(error)
        }
        guard collectives.isDistributed else { return mine.map { PayloadReader($0.bytes) } }
        var payload = Payload()
        for part in mine { payload.append(part.bytes.count) }
        var joined = payload.bytes
        for part in mine { joined += part.bytes }
        var readers: [PayloadReader] = []
        for (rank, frame) in collectives.exchangeOrEnd(joined).enumerated() {
            // Each frame: the byte count of each of the rank's shards, then their payloads.
            let count = collectives.block(of: shards.count, rank: rank).count
            var offset = 8 * count
            var header = PayloadReader(Array(frame.prefix(offset)))
            do throws(PayloadError) {
                for _ in 0..<count {
                    let size = try header.integer()
                    guard size >= 0, offset + size <= frame.count else { throw PayloadError.truncated }
                    readers.append(PayloadReader(Array(frame[offset..<(offset + size)])))
                    offset += size
                }
            } catch { Self.disagree(error, collectives: collectives, rank: rank) }
        }
        return readers
    }

    /// `body`'s solution of each shard (and a companion tensor of the same rows, such as a round
    /// trip's reconstruction), every shard's rows in order, and the most evaluations a shard made.
    func solve(
        _ shards: [Range<Int>], _ body: (Range<Int>) throws(SamplingError) -> (Tensor, Int, Tensor?)
    ) throws(FlowSessionError) -> (solution: Tensor, evaluationCount: Int, companion: Tensor?) {
        let parts = try exchange(shards) { (rows) throws(SamplingError) in
            let (solution, evaluations, companion) = try body(rows)
            var payload = Payload()
            payload.append(solution)
            payload.append(evaluations)
            payload.append(companion == nil ? 0 : 1)
            if let companion { payload.append(companion) }
            return payload
        }
        var solutions: [Tensor] = []
        var companions: [Tensor] = []
        var evaluations = 0
        do throws(PayloadError) {
            for var part in parts {
                solutions.append(try part.tensor())
                evaluations = Swift.max(evaluations, try part.integer())
                if try part.integer() == 1 { companions.append(try part.tensor()) }
            }
        } catch { Self.disagree(error, collectives: options.collectives) }
        return (
            Tensor.concatenate(solutions, alongAxis: 0), evaluations,
            companions.isEmpty ? nil : Tensor.concatenate(companions, alongAxis: 0)
        )
    }

    /// A shard's likelihood estimate as bytes.
    static func payload(of estimate: LikelihoodEstimate) -> Payload {
        var payload = Payload()
        payload.append(estimate.logLikelihoods)
        payload.append(estimate.standardErrors)
        payload.append(estimate.priorLogDensities)
        payload.append(estimate.latents)
        payload.append(estimate.dimension)
        payload.append([estimate.quantizationBinWidth])
        payload.append(estimate.evaluationCount)
        payload.append(estimate.sampleEvaluationCounts)
        payload.append(estimate.backwardPassesPerEvaluation)
        return payload
    }

    /// The estimate of all rows from every shard's (`evaluationCount`: the largest shard's).
    func mergedEstimate(_ parts: [PayloadReader]) throws(FlowSessionError) -> LikelihoodEstimate {
        var merged: LikelihoodEstimate? = nil
        var latents: [Tensor] = []
        do throws(PayloadError) {
            for var part in parts {
                let logLikelihoods = try part.doubles()
                let standardErrors = try part.doubles()
                let priors = try part.doubles()
                latents.append(try part.tensor())
                let dimension = try part.integer()
                let binWidth = try part.doubles()
                let evaluations = try part.integer()
                let sampleEvaluations = try part.integers()
                let passes = try part.integer()
                guard binWidth.count == 1 else { throw PayloadError.truncated }
                if var total = merged {
                    total.logLikelihoods += logLikelihoods
                    total.standardErrors += standardErrors
                    total.priorLogDensities += priors
                    total.evaluationCount = Swift.max(total.evaluationCount, evaluations)
                    total.sampleEvaluationCounts += sampleEvaluations
                    merged = total
                } else {
                    merged = LikelihoodEstimate(
                        logLikelihoods: logLikelihoods, standardErrors: standardErrors, priorLogDensities: priors,
                        latents: Tensor.zeros([0]), dimension: dimension, quantizationBinWidth: binWidth[0],
                        evaluationCount: evaluations, sampleEvaluationCounts: sampleEvaluations,
                        backwardPassesPerEvaluation: passes)
                }
            }
        } catch { Self.disagree(error, collectives: options.collectives) }
        guard var estimate = merged else { throw .noInput(operation: "likelihood") }
        estimate.latents = Tensor.concatenate(latents, alongAxis: 0)
        return estimate
    }

    /// Ranks that decode each other's bytes differently do not run the same command: the run ends.
    static func disagree(_ error: PayloadError, collectives: Collectives, rank: Int = 0) -> Never {
        collectives.end(RankFailure(rank: rank, size: collectives.size, message: error.description))
    }
}
