// `scorekit` with the Ralston samplers: every command, option, picture and error format of
// `scorekit`, and recipes may name `ralston` and `noise-level-langevin`.
import RalstonSamplers
import ScoreKitCommandLine
import ScoreKitRunner

ScoreKitCommand.main(registry: .standard().adding { $0.registerRalstonSamplers() })
