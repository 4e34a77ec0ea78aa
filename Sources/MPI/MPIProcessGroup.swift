import CScoreKitMPI
import Foundation
public import ScoreKitCore

/// The processes `mpirun` started (MPI_COMM_WORLD), as a `ProcessGroup`.
///
/// ```swift
/// let group = MPIProcessGroup.startIfLaunched() ?? SingleProcess()
/// defer { (group as? MPIProcessGroup)?.finish() }
/// ```
/// MPI is started only when the process was launched by an MPI launcher (its environment names
/// a rank), so `scorekit` stays a plain program without `mpirun`. The one collective is
/// MPI_Allgatherv of bytes, after an MPI_Allgather of the byte counts; messages above 1 GiB a
/// rank go in several rounds (MPI's counts and displacements are 32-bit). A rank that dies makes `mpirun` end the
/// others (MPI's default error handler aborts the job).
public final class MPIProcessGroup: ProcessGroup {
    public let rank: Int
    public let size: Int

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// The environment variables an MPI launcher sets on its ranks (Open MPI, PMIx, MPICH's PMI).
    public static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"]

    /// Whether this process was started by an MPI launcher.
    public static var isLaunched: Bool {
        let environment = ProcessInfo.processInfo.environment
        return launcherVariables.contains { environment[$0] != nil }
    }

    /// MPI's world when this process was started by an MPI launcher, else `nil`.
    /// - Throws: `MPIError` when MPI does not start.
    public static func startIfLaunched() throws(MPIError) -> MPIProcessGroup? {
        guard isLaunched else { return nil }
        let code = scorekit_mpi_init()
        guard code == MPI_SUCCESS else { throw .call("MPI_Init_thread", code: code) }
        return MPIProcessGroup(rank: Int(scorekit_mpi_rank()), size: Int(scorekit_mpi_size()))
    }

    /// MPI_Finalize: every rank calls it once, at the end of the command.
    public func finish() {
        _ = scorekit_mpi_finalize()
    }

    /// Ends every rank of the job with `status` (MPI_Abort).
    public func abort(status: Int32) -> Never {
        scorekit_mpi_abort(status)
        exit(status)
    }

    /// The largest part of a message one rank sends in one round: 1 GiB, or less so that the
    /// parts of all ranks together fit MPI's 32-bit displacements.
    var roundBytes: Int { Swift.min(1 << 30, Int(Int32.max) / Swift.max(size, 1)) }

    public func allGather(_ bytes: [UInt8]) -> [[UInt8]] {
        var counts = [Int64](repeating: 0, count: size)
        check(scorekit_mpi_allgather_count(Int64(bytes.count), &counts), "MPI_Allgather")
        if counts.reduce(0, +) <= Int64(Int32.max) {
            return allGatherInOneRound(bytes, counts: counts.map { Int($0) })
        }
        var results = counts.map { [UInt8](repeating: 0, count: Int($0)) }
        var sent = [Int](repeating: 0, count: size)
        while zip(sent, counts).contains(where: { $0 < Int($1) }) {
            let parts = (0..<size).map { Swift.min(roundBytes, Int(counts[$0]) - sent[$0]) }
            var displacements = [Int32](repeating: 0, count: size)
            for r in 1..<Swift.max(size, 1) { displacements[r] = displacements[r - 1] + Int32(parts[r - 1]) }
            var received = [UInt8](repeating: 0, count: parts.reduce(0, +))
            let own = sent[rank]
            let code = bytes.withUnsafeBufferPointer { source in
                received.withUnsafeMutableBufferPointer { target in
                    scorekit_mpi_allgatherv_bytes(
                        source.baseAddress.map { UnsafeRawPointer($0 + own) }, Int32(parts[rank]),
                        target.baseAddress, parts.map(Int32.init), displacements)
                }
            }
            check(code, "MPI_Allgatherv")
            for r in 0..<size where parts[r] > 0 {
                let start = Int(displacements[r])
                results[r].replaceSubrange(sent[r]..<(sent[r] + parts[r]), with: received[start..<(start + parts[r])])
                sent[r] += parts[r]
            }
        }
        return results
    }

    /// One MPI_Allgatherv into one buffer, cut into the ranks' parts (one copy each).
    private func allGatherInOneRound(_ bytes: [UInt8], counts: [Int]) -> [[UInt8]] {
        var displacements = [Int32](repeating: 0, count: size)
        for r in 1..<Swift.max(size, 1) { displacements[r] = displacements[r - 1] + Int32(counts[r - 1]) }
        let total = counts.reduce(0, +)
        let received = [UInt8](unsafeUninitializedCapacity: total) { target, initialized in
            let code = bytes.withUnsafeBufferPointer { source in
                scorekit_mpi_allgatherv_bytes(
                    source.baseAddress, Int32(bytes.count), target.baseAddress, counts.map(Int32.init), displacements)
            }
            check(code, "MPI_Allgatherv")
            initialized = total
        }
        return (0..<size).map { r in
            let start = Int(displacements[r])
            return Array(received[start..<(start + counts[r])])
        }
    }

    /// MPI's errors abort the job by default; a code other than success is reported and ends it.
    private func check(_ code: Int32, _ call: String) {
        guard code != MPI_SUCCESS else { return }
        FileHandle.standardError.write(Data("scorekit: rank \(rank) of \(size): \(call) failed (code \(code))\n".utf8))
        abort(status: 1)
    }
}

/// MPI did not start.
public enum MPIError: Error, Sendable, CustomStringConvertible {
    case call(String, code: Int32)

    public var description: String {
        switch self {
        case .call(let name, let code):
            "\(name) failed (MPI error code \(code)); check the MPI installation (`mpirun --version`) and the launcher"
        }
    }
}
