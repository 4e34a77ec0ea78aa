import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

/// A run trained for 4 steps in `dir/run` (recipe `dir/r.yaml`, with a sampler; no pictures).
private func trainedRun(in dir: String) throws -> String {
    let recipe =
        tinyRecipe(steps: 4)
        + "timeGrid: { kind: uniform, steps: 10, endTime: 1e-3 }\nsampler: { kind: euler-maruyama }\n"
    try Data(recipe.utf8).write(to: URL(fileURLWithPath: dir + "/r.yaml"))
    var options = TrainingSession.Options(recipePath: dir + "/r.yaml")
    options.outputFolder = dir + "/run"
    options.pictures = false
    try TrainingSession(options: options, registry: trainingRegistry).run()
    return dir + "/run"
}

/// The pid of a process that has ended.
private func deadPid() throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    return process.processIdentifier
}

@Suite("RunFolderLock")
struct RunFolderLockTests {
    @Test("a second lock on a folder is refused with the holder's pid, and granted once released")
    func secondLock() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lock = try RunFolderLock(folder: dir)
        #expect(throws: RunFolderError.inUse(path: dir, pid: getpid())) { try RunFolderLock(folder: dir) }
        lock.release()
        try RunFolderLock(folder: dir).release()
    }

    @Test("the in-use message names the folder and the holder")
    func inUseWording() {
        #expect(
            RunFolderError.inUse(path: "runs/ring", pid: 1234).description
                == "runs/ring: error: the run folder is in use by another scorekit (pid 1234)\n"
                + "  one command writes into a run folder at a time; wait for it or use another --out")
    }

    @Test("outputs that are inputs are found through links and dots; missing folders are refused")
    func outputChecks() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/in.npy"))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.npy", withDestinationPath: dir + "/in.npy")
        let inputs: [OutputCheck.Input] = [("input file", dir + "/in.npy")]
        for output in [dir + "/in.npy", dir + "/link.npy", dir + "/./sub/../in.npy"] {
            if output.contains("sub") {
                try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
            }
            #expect(throws: RunFolderError.outputIsInput(output: output, role: "input file")) {
                try OutputCheck.prepare(output: output, inputs: inputs)
            }
        }
        #expect(throws: RunFolderError.missingOutputFolder(output: dir + "/no/x.npy", folder: dir + "/no")) {
            try OutputCheck.prepare(output: dir + "/no/x.npy", inputs: inputs)
        }
        #expect(throws: RunFolderError.outputIsFolder(output: dir)) { try OutputCheck.prepare(output: dir, inputs: []) }
        #expect(try OutputCheck.prepare(output: dir + "/out.npy", inputs: inputs) == nil)
    }

    @Test("stale temporary files of dead writers are removed; live writers' and others are kept")
    func staleTemporaries() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dead = ".samples.npy.tmp-\(try deadPid())"
        let names = [dead, ".samples.npy.tmp-\(getpid())", ".samples.npy.tmp-1", ".notes.tmp-abc", "samples.npy.tmp-9"]
        for name in names { try Data([0]).write(to: URL(fileURLWithPath: dir + "/" + name)) }
        FileIO.removeStaleTemporaries(in: dir)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        // pid 1 (init) is alive; names without a pid, or without the leading dot, are not ours.
        #expect(left == Set(names.dropFirst()))
    }
}

/// Writers driving the built `scorekit` while the test process holds a run folder's lock.
@Suite("run folder writers (scorekit)", .serialized, .enabled(if: scorekitBinaryTestsEnabled))
struct RunFolderWriterTests {
    @Test("train, sample, evaluate, likelihood and plot on a locked folder exit 1 at once, naming the pid")
    func secondWriter() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try trainedRun(in: dir)
        let lock = try RunFolderLock(folder: dir + "/run")
        let commands = [
            ["train", "r.yaml", "--out", "run"], ["train", "r.yaml", "--out", "run", "--resume", "--steps", "8"],
            ["sample", "run", "--count", "4"], ["evaluate", "run"], ["likelihood", "run"], ["plot", "run"],
        ]
        for arguments in commands {
            let run = try runMeasured(arguments, in: dir)
            let what = arguments.joined(separator: " ")
            #expect(run.status == 1, "\(what): status \(run.status): \(run.standardError)")
            #expect(
                run.standardError.hasPrefix(
                    "run: error: the run folder is in use by another scorekit (pid \(getpid()))"),
                "\(what): \(run.standardError)")
            #expect(run.seconds < 2, "\(what): took \(run.seconds) s")
        }
        lock.release()
        let after = try runMeasured(["sample", "run", "--count", "4"], in: dir)
        #expect(after.status == 0, "\(after.standardError)")
    }

    @Test("a killed writer's lock is released with it")
    func killedHolder() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(tinyRecipe(steps: 1_000_000).utf8).write(to: URL(fileURLWithPath: dir + "/long.yaml"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try requireScorekitBinary())
        process.arguments = ["train", dir + "/long.yaml", "--out", dir + "/long"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        let deadline = Date().addingTimeInterval(30)
        let lockFile = dir + "/long/" + RunFolderLock.fileName
        while (try? String(contentsOfFile: lockFile, encoding: .utf8)) != "\(pid)\n", Date() < deadline,
            process.isRunning
        {
            usleep(10_000)
        }
        try #require(process.isRunning, "scorekit train stopped early with status \(process.terminationStatus)")
        #expect(throws: RunFolderError.inUse(path: dir + "/long", pid: pid)) {
            try RunFolderLock(folder: dir + "/long")
        }
        kill(pid, SIGKILL)
        process.waitUntilExit()
        try RunFolderLock(folder: dir + "/long").release()
    }

    @Test("--out onto a checkpoint, the resolved recipe or an input file is refused and the file is unchanged")
    func outputOntoInput() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try trainedRun(in: dir)
        try Data(smallExactRecipe.utf8).write(to: URL(fileURLWithPath: dir + "/exact.yaml"))
        try NumPyFile.write(Tensor([0.5, -0.5, 1, 0, 0, 1], shape: [3, 2]), to: dir + "/x.npy")
        try FileManager.default.createSymbolicLink(
            atPath: dir + "/link.npy", withDestinationPath: dir + "/run/checkpoint.safetensors")
        let cases: [(arguments: [String], file: String, role: String)] = [
            (
                ["sample", "run", "--count", "4", "--out", "run/checkpoint.safetensors"], "run/checkpoint.safetensors",
                "run's checkpoint"
            ),
            (
                ["sample", "run", "--count", "4", "--out", "run/checkpoint-final.safetensors"],
                "run/checkpoint-final.safetensors", "run's checkpoint"
            ),
            (["sample", "run", "--count", "4", "--out", "link.npy"], "run/checkpoint.safetensors", "run's checkpoint"),
            (
                ["sample", "run", "--count", "4", "--out", "run/resolved-recipe.yaml"], "run/resolved-recipe.yaml",
                "run's resolved recipe"
            ),
            (["sample", "exact.yaml", "--count", "3", "--init", "x.npy", "--out", "./x.npy"], "x.npy", "--init file"),
            (["encode", "exact.yaml", "--data", "x.npy", "--out", "x.npy"], "x.npy", "input file"),
            (["decode", "exact.yaml", "--latents", "x.npy", "--out", "x.npy"], "x.npy", "input file"),
            (["likelihood", "exact.yaml", "--data", "x.npy", "--out", "exact.yaml"], "exact.yaml", "recipe"),
            (["evaluate", "exact.yaml", "--samples", "x.npy", "--out", "x.npy"], "x.npy", "samples file"),
        ]
        for (arguments, file, role) in cases {
            let before = try #require(FileManager.default.contents(atPath: dir + "/" + file))
            let run = try runMeasured(arguments, in: dir)
            let what = arguments.joined(separator: " ")
            let output = try #require(arguments.last)
            #expect(run.status == 1, "\(what): status \(run.status): \(run.standardError)")
            #expect(
                run.standardError.hasPrefix("\(output): error: --out would overwrite the \(role)\n"),
                "\(what): \(run.standardError)")
            #expect(FileManager.default.contents(atPath: dir + "/" + file) == before, "\(what) changed \(file)")
        }
    }

    @Test("a missing --out folder is refused before any sampling or integration")
    func missingOutputFolder() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(smallExactRecipe.utf8).write(to: URL(fileURLWithPath: dir + "/exact.yaml"))
        try NumPyFile.write(Tensor([0.5, -0.5, 1, 0, 0, 1], shape: [3, 2]), to: dir + "/x.npy")
        let cases = [
            ["sample", "exact.yaml", "--count", "2000000", "--out", "nowhere/s.npy"],
            ["likelihood", "exact.yaml", "--out", "nowhere/s.npy"],
            ["encode", "exact.yaml", "--data", "x.npy", "--out", "nowhere/s.npy"],
            ["decode", "exact.yaml", "--latents", "x.npy", "--out", "nowhere/s.npy"],
            ["evaluate", "exact.yaml", "--samples", "x.npy", "--out", "nowhere/s.npy"],
        ]
        for arguments in cases {
            let run = try runMeasured(arguments, in: dir)
            let what = arguments.joined(separator: " ")
            #expect(run.status == 1, "\(what): status \(run.status): \(run.standardError)")
            #expect(
                run.standardError.hasPrefix("nowhere/s.npy: error: the folder 'nowhere' does not exist"),
                "\(what): \(run.standardError)")
            #expect(run.seconds < 2, "\(what): took \(run.seconds) s")
        }
    }

    @Test("the next writer in a folder removes a killed writer's temporary file")
    func staleTemporaryRemovedBySample() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try trainedRun(in: dir)
        let stale = dir + "/run/.samples.npy.tmp-\(try deadPid())"
        try Data([0]).write(to: URL(fileURLWithPath: stale))
        let run = try runMeasured(["sample", "run", "--count", "4"], in: dir)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: stale))
    }
}
