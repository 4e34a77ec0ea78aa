import Foundation
import ScoreKitCore

/// Wall time, this process's CPU time and the CPU other processes took while a region ran,
/// as the peer scripts measure it (`other_busy`, in cores), so noisy repeats can be spotted.
struct Meter {
    private var wallStart = 0.0
    private var cpuStart = 0.0
    private var jiffiesStart: (total: Double, idle: Double) = (0, 0)

    private(set) var wall = 0.0
    /// This process's CPU time (user + system, all threads), in seconds.
    private(set) var cpu = 0.0
    private(set) var otherBusy = 0.0

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func processCPU() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
        return user + system
    }

    static func jiffies() -> (total: Double, idle: Double) {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first
        else { return (0, 0) }
        let values = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard values.count >= 8 else { return (0, 0) }
        return (values[0..<8].reduce(0, +), values[3] + values[4])
    }

    mutating func start() {
        wallStart = Meter.now()
        cpuStart = Meter.processCPU()
        jiffiesStart = Meter.jiffies()
    }

    mutating func stop() {
        wall = Meter.now() - wallStart
        cpu = Meter.processCPU() - cpuStart
        let j = Meter.jiffies()
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        let busy = ((j.total - jiffiesStart.total) - (j.idle - jiffiesStart.idle)) / hz
        otherBusy = max(0, busy - cpu) / max(wall, 1e-9)
    }
}

/// Peak resident memory of this process so far, in MB (VmHWM).
func peakResidentMegabytes() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? .nan
        return kb / 1024
    }
    return .nan
}

/// Current resident memory in MB (VmRSS).
func residentMegabytes() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
    for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? .nan
        return kb / 1024
    }
    return .nan
}

/// `reps` repeats of `steps` calls of `step`: each repeat's median step time in ms, and the
/// CPU other processes took during it (cores).
func timedSteps(reps: Int, steps: Int, _ step: () -> Void) -> (values: [Double], busy: [Double]) {
    var values: [Double] = []
    var busy: [Double] = []
    for _ in 0..<reps {
        var times: [Double] = []
        var meter = Meter()
        meter.start()
        for _ in 0..<steps {
            let t = Meter.now()
            step()
            times.append(Meter.now() - t)
        }
        meter.stop()
        values.append(median(times) * 1e3)
        busy.append(meter.otherBusy)
    }
    return (values, busy)
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
}

/// Prints one JSON record (the peer scripts' shape) and appends it to `--out` when given.
func emit(_ record: [String: Any], to out: String?) {
    var record = record
    record["system"] = record["system"] ?? "scorekit"
    record["blas_core"] = Compute.blasKernels.coreName
    if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) {
        record["loadavg"] = load.split(separator: " ").prefix(3).map(String.init)
    }
    guard let data = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]),
        let line = String(data: data, encoding: .utf8)
    else { return }
    FileHandle.standardOutput.write((line + "\n").data(using: .utf8)!)
    if let out {
        if let handle = FileHandle(forWritingAtPath: out) {
            handle.seekToEndOfFile()
            handle.write((line + "\n").data(using: .utf8)!)
            handle.closeFile()
        } else {
            _ = FileManager.default.createFile(atPath: out, contents: (line + "\n").data(using: .utf8))
        }
    }
}
