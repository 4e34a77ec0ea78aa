import Foundation
import ScoreKitCore
import Testing

/// Ctrl-C while `scorekit` writes a result: the temporary file goes, the old result stays.
@Suite("robustness: interrupts", .serialized, .tags(.robustness), .enabled(if: scorekitBinaryTestsEnabled))
struct InterruptTests {
    /// The temporary files of `writeAtomically` in `folder`.
    static func temporaries(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
            $0.contains(FileIO.temporaryMarker)
        }
    }

    /// An exact 64-dimensional Gaussian, sampled in one Euler step: quick to draw, large to write.
    static let recipe = Array(
        """
        sde:              { kind: variance-preserving, betaMin: 0.1, betaMax: 20 }
        parameterization: { kind: epsilon }
        network:          { kind: exact-mixture }
        data:             { kind: gaussian-mixture, count: 200, means: [[\(Array(repeating: "0", count: 64).joined(separator: ","))]] }
        timeGrid:         { kind: uniform, steps: 1, endTime: 1e-3 }
        sampler:          { kind: euler }
        seed: 0

        """.utf8)

    @Test("SIGINT while the samples are being written removes the temporary file and keeps the old samples")
    func interruptDuringWrite() throws {
        let binary = try requireScorekitBinary()
        let dir = try folder(with: ["r.yaml": Self.recipe])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let old = NumPyFile.encode(Tensor([1, 2, 3, 4], shape: [2, 2]))
        var caught = 0
        for attempt in 0..<5 where caught < 2 {
            try Data(old).write(to: URL(fileURLWithPath: dir + "/out.npy"))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.currentDirectoryURL = URL(fileURLWithPath: dir)
            // 250,000 samples of 64 values in one step: 64 MB written, so the temporary file
            // lives for some milliseconds.
            process.arguments = ["sample", "r.yaml", "--count", "250000", "--out", "out.npy", "--quiet"]
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let start = Date()
            // Interrupt as soon as the temporary file appears, while the write is under way.
            while process.isRunning, Date().timeIntervalSince(start) < 60 {
                if !Self.temporaries(in: dir).isEmpty {
                    process.interrupt()
                    break
                }
                usleep(200)
            }
            process.waitUntilExit()
            let interrupted = process.terminationReason == .exit && process.terminationStatus == 128 + SIGINT
            #expect(Self.temporaries(in: dir).isEmpty, "attempt \(attempt): left \(Self.temporaries(in: dir))")
            let samples = try NumPyFile.read(dir + "/out.npy")
            // Whole, old or new: a signal just after the rename leaves the new samples.
            #expect(samples.shape == [2, 2] || samples.shape == [250_000, 64], "attempt \(attempt): \(samples.shape)")
            if interrupted, samples.shape == [2, 2] { caught += 1 }
        }
        #expect(caught >= 1, "no attempt was interrupted during the write")
    }
}
