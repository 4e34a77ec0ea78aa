import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

extension Tag {
    /// Hostile inputs run through the built `scorekit`: no crash, no memory or time blow-up.
    @Tag static var robustness: Self
}

/// Whether tests that drive the built `scorekit` run: when it was built, and always under CI
/// (`CI` set), where a missing binary is then a failure (`requireScorekitBinary()`), not a skip.
let scorekitBinaryTestsEnabled = scorekitBinary != nil || ProcessInfo.processInfo.environment["CI"] != nil

/// The built `scorekit`; records an issue (under CI the binary must exist) when it is missing.
func requireScorekitBinary() throws -> String {
    try #require(scorekitBinary, "the scorekit executable was not built; build with --build-tests before testing")
}

/// What a run of `scorekit` cost: its exit status (128 + n for a signal n), standard error,
/// wall time and its peak resident memory (`VmHWM`, read while it runs).
struct MeasuredRun: Sendable {
    var status: Int32
    var standardError: String
    var seconds: Double
    var peakResidentBytes: Int
}

/// Runs the `scorekit` binary with `arguments` in `directory`, measuring it; a run longer than
/// `killAfter` seconds is killed (status 128 + SIGKILL), so a hang fails instead of stalling.
func runMeasured(_ arguments: [String], in directory: String, killAfter: Double = 30) throws -> MeasuredRun {
    let binary = try requireScorekitBinary()
    let errorPath = directory + "/.stderr-\(UUID().uuidString)"
    defer { unlink(errorPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    // The shell changes folder, then becomes scorekit (exec), so wait4 measures scorekit itself.
    let command = ["/bin/sh", "-c", #"cd "$0" && exec "$@""#, directory, binary] + arguments
    let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let program = String(URL(fileURLWithPath: binary).lastPathComponent.prefix(15))
    let start = Date()
    let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
    try #require(spawned == 0, "posix_spawn failed: \(spawned)")
    var status: Int32 = 0
    var usage = rusage()
    var peak = 0
    while true {
        // The high-water mark of the process's own memory since its exec. (`wait4`'s ru_maxrss
        // would not do: the spawned child starts as a view of this test process's memory, and
        // Linux keeps that high-water mark across exec.) Read every 2 ms until it exits, and
        // only once the child is scorekit: before its exec it shares this process's memory.
        if isRunning(program, pid: pid) { peak = max(peak, highWaterResidentBytes(of: pid) ?? 0) }
        let waited = wait4(pid, &status, WNOHANG, &usage)
        if waited == pid { break }
        if waited < 0, errno != EINTR { break }
        if Date().timeIntervalSince(start) > killAfter { kill(pid, SIGKILL) }
        usleep(2_000)
    }
    let seconds = Date().timeIntervalSince(start)
    let signal = status & 0x7F
    let exitStatus = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    let errors = FileManager.default.contents(atPath: errorPath) ?? Data()
    return MeasuredRun(
        status: exitStatus, standardError: String(decoding: errors, as: UTF8.self), seconds: seconds,
        peakResidentBytes: peak)
}

/// Whether process `pid` now runs `program` (its name as /proc shows it, at most 15 bytes).
func isRunning(_ program: String, pid: pid_t) -> Bool {
    guard let name = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) else { return false }
    return name.trimmingCharacters(in: .newlines) == program
}

/// `VmHWM` of `pid` in bytes, from /proc: the peak resident memory of its current program.
func highWaterResidentBytes(of pid: pid_t) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return nil }
    let fields = line.split(separator: " ", omittingEmptySubsequences: true)
    guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
    return kilobytes * 1024
}

/// Hostile inputs, each run through the built `scorekit`: exit status 1 (never a signal), a
/// message naming the file (with line:column where there is one), within 5 s and 300 MB.
@Suite("robustness", .serialized, .tags(.robustness), .enabled(if: scorekitBinaryTestsEnabled))
struct RobustnessTests {
    /// The most a refused input may take.
    static let secondsLimit = 5.0
    static let memoryLimit = 300 * 1024 * 1024

    /// One hostile input: its files, the command, and a pattern the message must start with.
    struct Probe: Sendable, CustomTestStringConvertible {
        var name: String
        /// The files, made when the probe runs (some are 50 MB).
        var files: @Sendable () -> [String: [UInt8]]
        var arguments: [String]
        /// A regular expression matched at the start of standard error.
        var start: String
        /// The exit status: 1.
        var status: Int32
        var testDescription: String { name }

        init(
            name: String, files: @autoclosure @escaping @Sendable () -> [String: [UInt8]], arguments: [String],
            start: String, status: Int32 = 1
        ) {
            self.name = name
            self.files = files
            self.arguments = arguments
            self.start = start
            self.status = status
        }
    }

    // MARK: - Inputs

    /// Billion laughs: 10 aliases per level, 8 levels, about 400 bytes.
    static let aliasBomb: [UInt8] = {
        var lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1...8 {
            let uses = Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ",")
            lines.append("l\(level): &l\(level) [\(uses)]")
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }()

    /// A `.npy` of float32 `shape` whose header is written as given, followed by `dataBytes`.
    static func npy(shape: String, descr: String = "<f4", dataBytes: Int = 16) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        let length = UInt16(header.utf8.count)
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
            + Array(header.utf8) + [UInt8](repeating: 0, count: dataBytes)
    }

    /// A float32 `.npy` of `rows` × 2 with NaN at row 1, column 0.
    static let nanRows: [UInt8] = {
        var values = [Float](repeating: 0.5, count: 8)
        values[2] = .nan
        return NumPyFile.encode(Tensor(values, shape: [4, 2]))
    }()

    /// A safetensors file with `header` (JSON text) and `dataBytes` zero bytes of data.
    static func safetensors(_ header: String, dataBytes: Int) -> [UInt8] {
        let json = Array(header.utf8)
        let n = UInt64(json.count)
        return (0..<8).map { UInt8((n >> (8 * UInt64($0))) & 0xFF) } + json + [UInt8](repeating: 0, count: dataBytes)
    }

    /// An IDX header of unsigned bytes with the given sizes, and a few data bytes.
    static func idx(_ sizes: [UInt32]) -> [UInt8] {
        [0, 0, 0x08, UInt8(sizes.count)]
            + sizes.flatMap { size in (0..<4).map { UInt8((size >> (8 * UInt32(3 - $0))) & 0xFF) } } + [1, 2, 3, 4]
    }

    /// The exact ring model: sampling, likelihood, encoding and decoding without a checkpoint.
    static let exactRecipe = Array(smallExactRecipe.utf8)

    static let trainRecipe = ErrorExitTests.recipe()

    static let probes: [Probe] = [
        Probe(
            name: "alias bomb", files: ["bomb.yaml": aliasBomb], arguments: ["validate", "bomb.yaml"],
            start: #"bomb\.yaml:\d+:\d+: error: invalid YAML: the recipe has more than 100,000 nodes"#),
        Probe(
            name: "alias bomb used as a key", files: ["key.yaml": aliasBomb + Array("? *l8\n: 1\n".utf8)],
            arguments: ["validate", "key.yaml"],
            start: #"key\.yaml:\d+:\d+: error: invalid YAML: the recipe has more than 100,000 nodes"#),
        Probe(
            name: "200,000 repeated keys",
            files: ["dups.yaml": Array(String(repeating: "a: 1\n", count: 200_000).utf8)],
            arguments: ["validate", "dups.yaml"], start: #"dups\.yaml:\d+:\d+: error: "#),
        Probe(
            name: "50 MB flow list",
            files: ["big.yaml": Array(("sde: [" + String(repeating: "1, ", count: 16_000_000) + "1]\n").utf8)],
            arguments: ["validate", "big.yaml"],
            start: #"big\.yaml:1:1048577: error: invalid YAML: the file is longer than 1,048,576 bytes"#),
        Probe(
            name: "4 M keys",
            files: [
                "keys.yaml": Array(
                    (0..<4_000_000).map { "k\($0): 1\n" }.joined().utf8)
            ],
            arguments: ["validate", "keys.yaml"],
            start: #"keys\.yaml:\d+:\d+: error: invalid YAML: the file is longer than 1,048,576 bytes"#),
        Probe(
            name: "50 MB kind",
            files: ["kind.yaml": Array(("sde: { kind: " + String(repeating: "x", count: 50_000_000) + " }\n").utf8)],
            arguments: ["validate", "kind.yaml"],
            start: #"kind\.yaml:1:1048577: error: invalid YAML: the file is longer than"#),
        Probe(
            name: "100 kB scalar",
            files: ["long.yaml": Array(("sde: { kind: " + String(repeating: "x", count: 100_000) + " }\n").utf8)],
            arguments: ["validate", "long.yaml"],
            start: #"long\.yaml:1:14: error: invalid YAML: the scalar 'x{40}… \(100,000 bytes\)' is longer than 4,096"#),
        Probe(
            name: "200,000 nodes in 600 kB",
            files: ["nodes.yaml": Array(("sde: [" + String(repeating: "1,", count: 200_000) + "1]\n").utf8)],
            arguments: ["validate", "nodes.yaml"],
            start: #"nodes\.yaml:1:\d+: error: invalid YAML: the recipe has more than 100,000 nodes"#),
        Probe(
            name: "--set value 20,000 deep", files: ["r.yaml": trainRecipe],
            arguments: [
                "validate", "r.yaml", "--set",
                "sampler.x=" + String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000),
            ],
            start:
                #"error: invalid override 'sampler\.x=\[{40,}… \(40,010 bytes\)': the value nests collections more than 1,000 levels"#
        ),
        Probe(
            name: "--set path of 10,000 parts", files: ["r.yaml": trainRecipe],
            arguments: [
                "validate", "r.yaml", "--set",
                Array(repeating: "a", count: 10_000).joined(separator: ".") + "=1",
            ],
            start: #"error: invalid override '.*': the path '.*' has 10,000 parts; the limit is 1,000"#),
        Probe(
            name: "npy shape overflow (likelihood)",
            files: ["r.yaml": exactRecipe, "x.npy": npy(shape: "(4611686018427387904, 4)")],
            arguments: ["likelihood", "r.yaml", "--data", "x.npy"],
            start: #"x\.npy: error: not a valid \.npy file: the shape 4611686018427387904 × 4 has more elements"#),
        Probe(
            name: "npy shape overflow (decode)",
            files: ["r.yaml": exactRecipe, "x.npy": npy(shape: "(4611686018427387904, 4)")],
            arguments: ["decode", "r.yaml", "--latents", "x.npy"], start: #"x\.npy: error: not a valid \.npy file"#),
        Probe(
            name: "npy shape overflow (evaluate --samples)",
            files: ["r.yaml": exactRecipe, "x.npy": npy(shape: "(4611686018427387904, 4)")],
            arguments: ["evaluate", "r.yaml", "--samples", "x.npy"], start: #"x\.npy: error: not a valid \.npy file"#),
        Probe(
            name: "npy shape overflow (sample --init)",
            files: ["r.yaml": exactRecipe, "x.npy": npy(shape: "(4611686018427387904, 4)")],
            arguments: ["sample", "r.yaml", "--count", "2", "--init", "x.npy"],
            start: #"x\.npy: error: not a valid \.npy file"#),
        Probe(
            name: "IDX 4e9 × 4e9 × 4e9",
            files: [
                "r.yaml": ErrorExitTests.recipe(data: "{ kind: idx, path: x-idx3-ubyte }"),
                "x-idx3-ubyte": idx([4_000_000_000, 4_000_000_000, 4_000_000_000]),
            ],
            arguments: ["train", "r.yaml"],
            start:
                #"x-idx3-ubyte: error: not a valid IDX file: the header declares 4000000000 × 4000000000 × 4000000000"#
        ),
        Probe(
            name: "safetensors shape [2**62, 4]",
            files: [
                "r.yaml": trainRecipe,
                "c.safetensors": safetensors(
                    #"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}}"#, dataBytes: 16),
            ],
            arguments: ["sample", "r.yaml", "--checkpoint", "c.safetensors", "--count", "2"],
            start: #"c\.safetensors: error: not a valid safetensors file: tensor 'w' has the shape"#),
        Probe(
            name: "safetensors overlapping ranges",
            files: [
                "r.yaml": trainRecipe,
                "c.safetensors": safetensors(
                    #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"#
                        + #""b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}"#, dataBytes: 24),
            ],
            arguments: ["sample", "r.yaml", "--checkpoint", "c.safetensors", "--count", "2"],
            start:
                #"c\.safetensors: error: not a valid safetensors file: the data of tensors 'a' .* and 'b' .* overlap"#),
        Probe(
            name: "safetensors range beyond the file",
            files: [
                "r.yaml": trainRecipe,
                "c.safetensors": safetensors(
                    #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[16,32]}}"#, dataBytes: 16),
            ],
            arguments: ["sample", "r.yaml", "--checkpoint", "c.safetensors", "--count", "2"],
            start: #"c\.safetensors: error: not a valid safetensors file: tensor 'a' claims bytes 16\.\.<32, beyond"#),
        Probe(
            name: "safetensors range ending before it begins",
            files: [
                "r.yaml": trainRecipe,
                "c.safetensors": safetensors(
                    #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[16,0]}}"#, dataBytes: 16),
            ],
            arguments: ["sample", "r.yaml", "--checkpoint", "c.safetensors", "--count", "2"],
            start: #"c\.safetensors: error: not a valid safetensors file: tensor 'a' has the data range 16\.\.<0"#),
        Probe(
            name: "safetensors duplicate header key",
            files: [
                "r.yaml": trainRecipe,
                "c.safetensors": safetensors(
                    #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"#
                        + #""a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, dataBytes: 16),
            ],
            arguments: ["sample", "r.yaml", "--checkpoint", "c.safetensors", "--count", "2"],
            start: #"c\.safetensors: error: not a valid safetensors file: the header has the key 'a' twice"#),
        Probe(
            name: "safetensors unknown dtype",
            files: [
                "r.yaml": trainRecipe,
                "c.safetensors": safetensors(
                    #"{"a":{"dtype":"F7","shape":[4],"data_offsets":[0,16]}}"#, dataBytes: 16),
            ],
            arguments: ["sample", "r.yaml", "--checkpoint", "c.safetensors", "--count", "2"],
            start: #"c\.safetensors: error: unsupported safetensors file: tensor 'a' has the unknown dtype 'F7'"#),
        Probe(
            name: "NaN row (likelihood --data)", files: ["r.yaml": exactRecipe, "nan.npy": nanRows],
            arguments: ["likelihood", "r.yaml", "--data", "nan.npy"],
            start: #"nan\.npy: error: row 1, column 0 \(counting from 0\) is nan"#),
        Probe(
            name: "NaN row (encode --data)", files: ["r.yaml": exactRecipe, "nan.npy": nanRows],
            arguments: ["encode", "r.yaml", "--data", "nan.npy"],
            start: #"nan\.npy: error: row 1, column 0 \(counting from 0\) is nan"#),
        Probe(
            name: "NaN row (decode --latents)", files: ["r.yaml": exactRecipe, "nan.npy": nanRows],
            arguments: ["decode", "r.yaml", "--latents", "nan.npy"],
            start: #"nan\.npy: error: row 1, column 0 \(counting from 0\) is nan"#),
        Probe(
            name: "NaN row (sample --init)", files: ["r.yaml": exactRecipe, "nan.npy": nanRows],
            arguments: ["sample", "r.yaml", "--count", "4", "--init", "nan.npy"],
            start: #"nan\.npy: error: row 1, column 0 \(counting from 0\) is nan"#),
        Probe(
            name: "NaN row (npy data set)",
            files: ["r.yaml": ErrorExitTests.recipe(data: "{ kind: npy, path: nan.npy }"), "nan.npy": nanRows],
            arguments: ["train", "r.yaml"], start: #"nan\.npy: error: .*row 1, column 0 \(counting from 0\) is nan"#),
    ]

    /// The properties every refused input must have.
    static func checkRefusal(_ run: MeasuredRun, start: String?, status: Int32 = 1, what: String) {
        #expect(run.status == status, "\(what): status \(run.status): \(run.standardError.prefix(2_000))")
        #expect(run.seconds < secondsLimit, "\(what): took \(run.seconds) s")
        #expect(run.peakResidentBytes < memoryLimit, "\(what): peak RSS \(run.peakResidentBytes / 1_048_576) MB")
        if let start {
            let matches = run.standardError.range(of: "^" + start, options: .regularExpression) != nil
            #expect(matches, "\(what): message does not start with /\(start)/:\n\(run.standardError.prefix(2_000))")
        }
        #expect(run.standardError.utf8.count < 4_096, "\(what): message of \(run.standardError.utf8.count) bytes")
    }

    @Test("the binary exists (required under CI)")
    func binaryExists() throws {
        _ = try requireScorekitBinary()
    }

    @Test("hostile input is refused quickly and cheaply", arguments: probes)
    func hostileInput(_ probe: Probe) throws {
        let dir = try folder(with: probe.files())
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try runMeasured(probe.arguments, in: dir)
        Self.checkRefusal(run, start: probe.start, status: probe.status, what: probe.name)
    }

    // MARK: - Fuzzing

    /// SplitMix64: a small seeded generator, so every mutation is reproducible from the seed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Bytes that mean something to YAML, JSON or a file header.
    static let significantBytes = Array("&*[]{}:,#!|>-'\"\n ?%@`~0123456789.eE\\".utf8) + [0x00, 0xFF, 0x7F, 0x80]

    /// `bytes` with one to three random edits: a byte changed, inserted or deleted, a range
    /// duplicated or cut off, or eight bytes overwritten with a huge little-endian number.
    static func mutate(_ bytes: [UInt8], using generator: inout Generator) -> [UInt8] {
        var result = bytes
        for _ in 0..<Int.random(in: 1...3, using: &generator) {
            guard !result.isEmpty else { return significantBytes }
            let at = Int.random(in: 0..<result.count, using: &generator)
            switch Int.random(in: 0..<7, using: &generator) {
            case 0: result[at] = significantBytes.randomElement(using: &generator) ?? 0
            case 1: result.insert(significantBytes.randomElement(using: &generator) ?? 0, at: at)
            case 2: result.remove(at: at)
            case 3:
                let end = min(result.count, at + Int.random(in: 1...64, using: &generator))
                result.insert(contentsOf: result[at..<end], at: at)
            case 4: result = Array(result.prefix(at))
            case 5: result[at] = UInt8.random(in: 0...255, using: &generator)
            default:
                let huge: UInt64 = [UInt64.max, 1 << 62, 1 << 40, UInt64(Int64.max)].randomElement(using: &generator)!
                for k in 0..<8 where at + k < result.count { result[at + k] = UInt8((huge >> (8 * UInt64(k))) & 0xFF) }
            }
        }
        return result
    }

    /// Runs `count` mutations of each file in `originals` through `arguments(name)`; `batch` files
    /// share one run (a crash then names the batch, whose files are listed).
    static func fuzz(
        _ originals: [(name: String, bytes: [UInt8])], count: Int, seed: UInt64, batch: Int = 1,
        extraFiles: [String: [UInt8]] = [:], arguments: ([String]) -> [String]
    ) throws {
        var generator = Generator(state: seed)
        var mutations: [(name: String, bytes: [UInt8])] = []
        for index in 0..<count {
            let original = originals[index % originals.count]
            mutations.append(("m\(index)-" + original.name, mutate(original.bytes, using: &generator)))
        }
        var start = 0
        while start < mutations.count {
            let group = mutations[start..<min(start + batch, mutations.count)]
            start += batch
            var files = extraFiles
            for mutation in group { files[mutation.name] = mutation.bytes }
            let dir = try folder(with: files)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let run = try runMeasured(arguments(group.map(\.name)), in: dir)
            let what = "mutations \(group.map(\.name).joined(separator: ", ")) (seed \(seed))"
            #expect(run.status < 128, "\(what): status \(run.status): \(run.standardError.prefix(2_000))")
            #expect(run.seconds < secondsLimit, "\(what): took \(run.seconds) s")
            #expect(run.peakResidentBytes < memoryLimit, "\(what): peak RSS \(run.peakResidentBytes / 1_048_576) MB")
        }
    }

    @Test("mutated shipped recipes never crash validate")
    func fuzzRecipes() throws {
        let folder = TrainCommandTests.repository.path + "/recipes/"
        let originals = try RecipeFilesTests.files.map { name in
            (name: name, bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + name))))
        }
        try #require(!originals.isEmpty)
        try Self.fuzz(originals, count: 200, seed: 15, batch: 10) { ["validate"] + $0 }
    }

    @Test("mutated .npy inputs never crash sample --init")
    func fuzzNumPy() throws {
        let original = NumPyFile.encode(Tensor([0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8], shape: [4, 2]))
        try Self.fuzz([("x.npy", original)], count: 60, seed: 16, extraFiles: ["r.yaml": Self.exactRecipe]) {
            ["sample", "r.yaml", "--count", "4", "--init", $0[0], "--out", "out.npy"]
        }
    }

    @Test("mutated checkpoints never crash sample")
    func fuzzSafeTensors() throws {
        let original = ErrorExitTests.checkpoint
        try #require(!original.isEmpty)
        // Most edits land in the data; the header (its first bytes) is where parsing happens.
        let header = (0..<8).reduce(0) { $0 | Int(original[$1]) << (8 * $1) }
        let headerOnly = Array(original.prefix(8 + header))
        var generator = Generator(state: 17)
        var mutations: [(name: String, bytes: [UInt8])] = []
        for index in 0..<60 {
            let mutated = Self.mutate(headerOnly, using: &generator)
            mutations.append(("c\(index).safetensors", mutated + original.dropFirst(8 + header)))
        }
        for mutation in mutations {
            let dir = try folder(with: ["r.yaml": Self.trainRecipe, mutation.name: mutation.bytes])
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let run = try runMeasured(
                ["sample", "r.yaml", "--checkpoint", mutation.name, "--count", "2", "--out", "out.npy"], in: dir)
            let what = "mutation \(mutation.name) (seed 17)"
            #expect(run.status < 128, "\(what): status \(run.status): \(run.standardError.prefix(2_000))")
            #expect(run.seconds < Self.secondsLimit, "\(what): took \(run.seconds) s")
            #expect(
                run.peakResidentBytes < Self.memoryLimit, "\(what): peak RSS \(run.peakResidentBytes / 1_048_576) MB")
        }
    }
}
