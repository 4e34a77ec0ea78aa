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
    case "w2": try SamplingWorkloads.w2(options)
    case "w3": try SamplingWorkloads.w3(options)
    case "w4": try SamplingWorkloads.w4(options)
    case "w5": try SamplingWorkloads.w5(options)
    case "w6": W6.run(options)
    case "fwd": ForwardWorkload.run(options)
    case "unet": try UNetWorkload.run(options)
    case "unet-cifar": try UNetWorkload.run(options, cifar: true)
    case "unet-sample": try UNetSamplingWorkload.run(options)
    default:
        FileHandle.standardError.write("unknown workload '\(options.workload)'\n\(Options.usage)".data(using: .utf8)!)
        exit(2)
    }
} catch {
    FileHandle.standardError.write("\(error)\n".data(using: .utf8)!)
    exit(1)
}
