import Foundation
import ScoreKitRunner

/// Draws training progress on standard error: a bar redrawn in place on a terminal, one line
/// per logged window otherwise (a file, a CI log); nothing when quiet.
///
/// ```
/// [##########··········]  5120/20000  25.6%  186 steps/s  ETA 1m20s  loss 0.8123
/// ```
struct ProgressBar {
    let quiet: Bool
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var startStep = 0
    private var start = ContinuousClock.now
    private var lastDraw = ContinuousClock.now - .seconds(1)
    private var smoothedLoss: Double?
    private var drawn = false

    init(quiet: Bool) {
        self.quiet = quiet
    }

    mutating func handle(_ event: TrainingEvent) {
        guard !quiet else { return }
        switch event {
        case .started(let info):
            startStep = info.step
            start = .now
            let verb = info.resumed ? "resuming at step \(info.step) of" : "training for"
            write(
                "\(verb) \(info.stepCount) steps: \(info.parameterCount) parameters, \(info.sampleCount) samples"
                    + (info.folder.map { ", into \($0)" } ?? "") + "\n")
        case .step(let progress):
            smoothedLoss = smoothedLoss.map { 0.98 * $0 + 0.02 * Double(progress.loss) } ?? Double(progress.loss)
            let now = ContinuousClock.now
            guard isTerminal, now - lastDraw >= .milliseconds(100) || progress.step == progress.stepCount else {
                return
            }
            lastDraw = now
            write("\r" + line(step: progress.step, of: progress.stepCount) + "\u{1B}[K")
            drawn = true
        case .logged(let metrics):
            if !isTerminal { write(line(step: metrics.step, of: nil, loss: metrics.loss) + "\n") }
        case .checkpointSaved:
            break
        case .finished(let summary):
            finishLine()
            let rate = summary.seconds > 0 ? Double(summary.stepsThisRun) / summary.seconds : 0
            let state = summary.step == summary.stepCount ? "done" : "stopped at step \(summary.step)"
            write(
                "\(state): "
                    + String(format: "%d steps in %.1f s (%.1f steps/s)\n", summary.stepsThisRun, summary.seconds, rate)
            )
        }
    }

    /// Ends a bar drawn in place, so that what follows starts on its own line.
    mutating func finishLine() {
        if drawn { write("\n") }
        drawn = false
    }

    private func line(step: Int, of total: Int?, loss: Double? = nil) -> String {
        let elapsed = (ContinuousClock.now - start)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let rate = seconds > 0 ? Double(step - startStep) / seconds : 0
        var text = ""
        if let total {
            let fraction = Double(step) / Double(max(total, 1))
            let filled = Int(fraction * 20)
            text += "[" + String(repeating: "#", count: filled) + String(repeating: "·", count: 20 - filled) + "]  "
            text += String(format: "%d/%d  %.1f%%  ", step, total, 100 * fraction)
            let left = rate > 0 ? Double(total - step) / rate : 0
            text += String(format: "%.0f steps/s  ETA ", rate) + Self.duration(left)
        } else {
            text += String(format: "step %d  %.0f steps/s", step, rate)
        }
        if let value = loss ?? smoothedLoss { text += String(format: "  loss %.4g", value) }
        return text
    }

    private static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s)s"
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
