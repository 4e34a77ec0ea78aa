import Foundation
import ScoreKitCore

guard let options = Options.parse(Array(CommandLine.arguments.dropFirst())) else {
    FileHandle.standardError.write(Options.usage.data(using: .utf8)!)
    exit(2)
}
Compute.setThreadCount(options.threads)
do {
    switch options.workload {
    case "w1": try W1.run(options)
    case "w6": W6.run(options)
    default:
        FileHandle.standardError.write("unknown workload '\(options.workload)'\n\(Options.usage)".data(using: .utf8)!)
        exit(2)
    }
} catch {
    FileHandle.standardError.write("\(error)\n".data(using: .utf8)!)
    exit(1)
}
