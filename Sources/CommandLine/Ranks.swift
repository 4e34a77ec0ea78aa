import ArgumentParser
import Foundation
import ScoreKitCore
import ScoreKitMPI
import Synchronization

/// The processes running this command: MPI's ranks when `mpirun` started it, else this
/// process alone.
///
/// Under `mpirun -np R`: `train`, `sample`, `likelihood`, `encode` and `decode` share their work
/// across the ranks (`DistributedCommand`); every other command runs on rank 0 while the others
/// wait for it. Rank 0 alone prints and writes. However a command ends, every rank makes one last
/// exchange: an error on any rank ends every rank with status 1, and rank 0 prints one message
/// that names the failing rank (`Collectives.fail`).
enum Ranks {
    /// The collectives of this command (started by `start()`).
    static var collectives: Collectives { state.collectives }
    /// Whether this process prints and writes (rank 0, or the only process).
    static var isRoot: Bool { state.collectives.isRoot }

    private struct State: Sendable {
        var collectives: Collectives
        var mpi: MPIProcessGroup?
    }

    private static let state: State = {
        do throws(MPIError) {
            if let mpi = try MPIProcessGroup.startIfLaunched() {
                return State(collectives: Collectives(group: mpi, onFailure: { end(seenFailure: $0) }), mpi: mpi)
            }
        } catch {
            FileHandle.standardError.write(Data("scorekit: \(error.description)\n".utf8))
            exit(1)
        }
        return State(collectives: .single, mpi: nil)
    }()

    /// What the other ranks would have printed: a failing rank's message travels to rank 0.
    private static let held = Mutex<[String]>([])

    /// Starts MPI when this process was launched by `mpirun` (first, before any output).
    static func start() {
        _ = state
    }

    /// Every rank must run the same command: the ranks exchange their arguments first, and when
    /// any differs from rank 0's every rank exits 1 and rank 0 says which (a rank started with
    /// other options, or another recipe, would compute something else and exchange it).
    static func requireSameArguments(_ arguments: [String]) {
        let collectives = state.collectives
        guard collectives.isDistributed else { return }
        var payload = Payload()
        payload.append(arguments.count)
        for argument in arguments { payload.append(argument) }
        let frames: [[UInt8]]
        do throws(RankFailure) { frames = try collectives.exchange(payload.bytes) } catch { end(seenFailure: error) }
        guard let different = frames.indices.first(where: { frames[$0] != frames[0] }) else { return }
        if collectives.isRoot {
            let shown = { (rank: Int) -> String in
                var reader = PayloadReader(frames[rank])
                let words = (try? reader.integer()).map { count in (0..<count).compactMap { _ in try? reader.text() } }
                return (words ?? []).joined(separator: " ")
            }
            StandardError.print(
                """
                error: the ranks were started with different arguments: rank \(different) of \(collectives.size) \
                ran `scorekit \(shown(different))`, rank 0 `scorekit \(shown(0))`
                  every rank must run the same command (docs/DISTRIBUTED.md); start them with one `mpirun -np R scorekit …`
                """)
        }
        state.mpi?.finish()
        exit(1)
    }

    /// Whether `message` is printed here: on rank 0; on the others it is kept for `fail`.
    static func prints(_ message: String) -> Bool {
        if state.collectives.isRoot { return true }
        held.withLock { $0.append(message) }
        return false
    }

    /// The command finished well on this rank: the last exchange, then exit 0 (or 1 when another
    /// rank failed).
    static func finish() -> Never {
        guard state.collectives.isDistributed else { ScoreKitCommand.exit() }
        do throws(RankFailure) { try state.collectives.finish() } catch { end(seenFailure: error) }
        state.mpi?.finish()
        exit(0)
    }

    /// The command failed on this rank with `error` (already printed on rank 0, or held here).
    static func fail(_ error: any Error) -> Never {
        guard state.collectives.isDistributed else { ScoreKitCommand.exit(withError: error) }
        let code = ScoreKitCommand.exitCode(for: error)
        let message = ScoreKitCommand.fullMessage(for: error)
        if code.isSuccess {
            if state.collectives.isRoot, !message.isEmpty { print(message) }
            finish()
        }
        if !message.isEmpty, prints(message) { StandardError.print(message) }
        let text = held.withLock { $0.joined(separator: "\n") }
        let failure = state.collectives.fail(text.isEmpty ? "failed (status \(code.rawValue))" : text)
        if failure.rank != state.collectives.rank, state.collectives.isRoot { StandardError.print(failure.description) }
        state.mpi?.finish()
        exit(code.rawValue == 0 ? 1 : code.rawValue)
    }

    /// An exchange carried another rank's failure: rank 0 prints it, every rank exits 1.
    private static func end(seenFailure failure: RankFailure) -> Never {
        if state.collectives.isRoot, failure.rank != 0 {
            StandardError.print(failure.description)
        }
        state.mpi?.finish()
        exit(1)
    }
}

/// A subcommand whose work is shared across the ranks of `mpirun` (the others run on rank 0).
protocol DistributedCommand {}
