import Foundation

extension TrainingError {
    /// What was known when a run diverged: the step, the cause, the loss against its running
    /// median, the gradient norm, and which checkpoint the run folder keeps.
    public struct Divergence: Sendable, Equatable {
        /// Why the step was refused or the run stopped.
        public enum Cause: Sendable, Equatable {
            /// The batch loss is NaN or ±∞; the step was not applied.
            case nonFiniteLoss
            /// The loss is finite, the global gradient norm is not; the step was not applied.
            case nonFiniteGradient
            /// The loss is above `training.divergenceFactor` × its running median; the step was
            /// not applied.
            case lossAboveCeiling(factor: Double)
            /// After the update, a weight or optimizer tensor holds NaN or ±∞ (named as in a
            /// checkpoint: `model.…`, `optimizer.adam.v.…`); the state in memory is that bad one.
            case nonFiniteState(NonFiniteTensor)
        }

        /// The checkpoint a run folder still holds after the divergence.
        public struct KeptCheckpoint: Sendable, Equatable {
            /// `checkpoint.safetensors`.
            public var path: String
            /// Its step.
            public var step: Int
            /// `checkpoint.previous.safetensors`, when the folder has one.
            public var previousPath: String?

            public init(path: String, step: Int, previousPath: String? = nil) {
                self.path = path
                self.step = step
                self.previousPath = previousPath
            }
        }

        /// The failing step, counted from 1 (the state holds `step − 1` completed steps).
        public var step: Int
        /// The run's length.
        public var stepCount: Int
        /// What went wrong.
        public var cause: Cause
        /// The batch loss of the step.
        public var loss: Float
        /// The median loss of the recent steps (`DivergenceGuard`), `nil` before the first.
        public var runningMedian: Double?
        /// The steps that median is over.
        public var medianCount: Int
        /// The global gradient norm (before clipping).
        public var gradientNorm: Double
        /// The learning rate of the step.
        public var learningRate: Double
        /// The times of the samples whose loss term is not finite (all sampled times when the
        /// terms are finite but the loss is not); empty for the other causes.
        public var times: [Double]
        /// The batch size.
        public var sampleCount: Int
        /// Seconds since the command started, when a session ran the loop.
        public var elapsedSeconds: Double?
        /// The run folder, when a session ran the loop.
        public var folder: String?
        /// The checkpoint the folder keeps; `nil` when none was written before the divergence.
        public var keptCheckpoint: KeptCheckpoint?

        public init(
            step: Int, stepCount: Int, cause: Cause, loss: Float, runningMedian: Double?, medianCount: Int,
            gradientNorm: Double, learningRate: Double, times: [Double] = [], sampleCount: Int,
            elapsedSeconds: Double? = nil, folder: String? = nil, keptCheckpoint: KeptCheckpoint? = nil
        ) {
            self.step = step
            self.stepCount = stepCount
            self.cause = cause
            self.loss = loss
            self.runningMedian = runningMedian
            self.medianCount = medianCount
            self.gradientNorm = gradientNorm
            self.learningRate = learningRate
            self.times = times
            self.sampleCount = sampleCount
            self.elapsedSeconds = elapsedSeconds
            self.folder = folder
            self.keptCheckpoint = keptCheckpoint
        }

        /// Equal fields, NaN losses equal to each other.
        public static func == (a: Divergence, b: Divergence) -> Bool {
            a.step == b.step && a.stepCount == b.stepCount && a.cause == b.cause
                && (a.loss == b.loss || (a.loss.isNaN && b.loss.isNaN)) && a.runningMedian == b.runningMedian
                && a.medianCount == b.medianCount
                && (a.gradientNorm == b.gradientNorm || (a.gradientNorm.isNaN && b.gradientNorm.isNaN))
                && a.learningRate == b.learningRate && a.times == b.times && a.sampleCount == b.sampleCount
                && a.elapsedSeconds == b.elapsedSeconds && a.folder == b.folder && a.keptCheckpoint == b.keptCheckpoint
        }

        /// The message: headline, values, the kept checkpoint, a hint.
        var description: String {
            let elapsed = elapsedSeconds.map { " (\(Self.duration($0)) after the start)" } ?? ""
            var notes: [String] = []
            let what: String
            switch cause {
            case .nonFiniteLoss:
                what = "the loss is non-finite (\(Self.number(Double(loss))))"
                if !times.isEmpty {
                    let shown = times.prefix(5).map { String(format: "%.4g", $0) }.joined(separator: ", ")
                    notes.append(
                        "\(times.count) of \(sampleCount) samples non-finite, at t = \(shown)\(times.count > 5 ? ", …" : "")"
                    )
                }
            case .nonFiniteGradient:
                what = "the gradient is non-finite (norm \(Self.number(gradientNorm)))"
            case .lossAboveCeiling(let factor):
                what =
                    "the loss \(Self.number(Double(loss))) is above training.divergenceFactor (\(Self.number(factor))) "
                    + "× its running median"
            case .nonFiniteState(let tensor):
                what = "after the update, \(tensor)"
            }
            let median =
                runningMedian.map {
                    "running median \(Self.number($0)) over the last "
                        + (medianCount == 1 ? "step" : "\(medianCount) steps")
                }
                ?? "no running median yet"
            notes.append(
                "loss \(Self.number(Double(loss))), \(median); gradient norm \(Self.number(gradientNorm)) "
                    + "(before clipping); learning rate \(Self.number(learningRate))")
            if let kept = keptCheckpoint {
                let previous = kept.previousPath.map { " (the one before it: \($0))" } ?? ""
                notes.append(
                    "the checkpoint of step \(kept.step) is kept: \(kept.path)\(previous); nothing after step "
                        + "\(kept.step) was saved")
            } else if let folder {
                notes.append("nothing was saved: \(folder) holds no checkpoint from before the divergence")
            }
            var hint =
                "hint: lower training.learningRate, set training.gradientClipNorm (such as 1), "
                + "or standardise the data (data.standardization: perDimension)"
            if keptCheckpoint != nil { hint += "; then continue with --resume" }
            if case .lossAboveCeiling = cause {
                hint += "; a jump you expect: raise training.divergenceFactor (0: off)"
            }
            notes.append(hint)
            return (["error: training diverged at step \(step) of \(stepCount)\(elapsed): \(what)"] + notes)
                .joined(separator: "\n  ")
        }

        /// `0.00123`, `1.5e+26`: four significant digits.
        static func number(_ value: Double) -> String {
            value.isNaN ? "nan" : String(format: "%.4g", value)
        }

        /// `3.2 s`, `4 min 05 s`, `2 h 03 min`.
        static func duration(_ seconds: Double) -> String {
            if seconds < 60 { return String(format: "%.1f s", seconds) }
            let whole = Int(seconds.rounded())
            if whole < 3_600 { return String(format: "%d min %02d s", whole / 60, whole % 60) }
            return String(format: "%d h %02d min", whole / 3_600, whole % 3_600 / 60)
        }
    }
}
