import ScoreKitCommandLine
import ScoreKitRunner

ScoreKitCommand.main(registry: .standard())
