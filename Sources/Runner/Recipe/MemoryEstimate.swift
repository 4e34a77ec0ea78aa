import Foundation
import ScoreKitCore

/// The memory a command is about to allocate, estimated from a resolved recipe before anything
/// is built, so that a recipe whose sizes do not fit in this machine is refused at once, with
/// the keys to change, instead of growing until the system kills it.
///
/// ```
/// training  data       N·(3D + 4)·4 B          (draws, samples, standardised copy; labels)
///           network    P·4 B · 5               (weights, gradients, two Adam moments, average)
///           batch      B·A·4 B                 (activations and their gradients, A per row)
/// sampling  samples    n·D·4 B · 10            (state, score, solver stages, output)
///           network    P·4 B + min(n, S)·A·4 B · threads
/// ```
/// P and A come from the network (`NetworkArchitecture.footprint`), N and D from the data set
/// (`DataSource.declaredShape`, or the image layout); what an architecture or source cannot
/// tell is left out, so the estimate is a lower bound. Sizes that grow with a single key
/// (grid steps, noise levels) are bounded by `SizeCeiling` instead.
public struct MemoryEstimate: Sendable, Equatable {
    /// One allocation: what it holds, the recipe keys that set its size, and its bytes.
    public struct Item: Sendable, Equatable {
        public var what: String
        public var keys: [String]
        public var bytes: Double
    }

    /// The command the estimate is for: "training", "sampling".
    public var command: String
    public var items: [Item]

    /// Every item's bytes.
    public var totalBytes: Double { items.reduce(0) { $0 + $1.bytes } }

    /// The memory of this machine: the most an estimate may reach.
    public static var machineBytes: Double { Double(ProcessInfo.processInfo.physicalMemory) }

    /// `train`'s allocations for `recipe`: its data, its network's state and one batch.
    public static func training(_ recipe: ResolvedRecipe) -> MemoryEstimate {
        var items: [Item] = []
        let shape = recipe.declaredSampleShape
        if let declared = recipe.dataSpecification?.source.declaredShape, declared.count == 2 {
            let (count, dimension) = (Double(declared[0]), Double(declared[1]))
            items.append(Item(what: "the data set", keys: ["data.count"], bytes: count * (3 * dimension + 4) * 4))
        }
        if let network = recipe.network, let footprint = network.footprint(sampleShape: shape ?? [1], classCount: 0) {
            items.append(
                Item(
                    what: "the network's weights, gradients, optimizer moments and average", keys: ["network"],
                    bytes: footprint.parameterCount * 4 * 5))
            let batch = Double(recipe.trainingConfiguration?.batchSize ?? 0)
            items.append(
                Item(
                    what: "one batch's activations", keys: ["training.batchSize", "network"],
                    bytes: batch * footprint.activationsPerRow * 4))
        }
        return MemoryEstimate(command: "training", items: items)
    }

    /// `sample`'s allocations: `count` samples of `sampleShape` through the network in shards of
    /// `rowsPerShard` rows.
    public static func sampling(
        _ recipe: ResolvedRecipe, count: Int, sampleShape: [Int], rowsPerShard: Int
    ) -> MemoryEstimate {
        let values = sampleShape.reduce(1.0) { $0 * Double($1) }
        var items = [
            Item(what: "the samples and the sampler's state", keys: ["--count"], bytes: Double(count) * values * 40)
        ]
        if let network = recipe.network, let footprint = network.footprint(sampleShape: sampleShape, classCount: 0) {
            let rows = Double(min(count, rowsPerShard)) * Double(Compute.threadCount)
            items.append(
                Item(
                    what: "the network and its activations", keys: ["network"],
                    bytes: footprint.parameterCount * 4 + rows * footprint.activationsPerRow * 4))
        }
        return MemoryEstimate(command: "sampling", items: items)
    }

    /// Throws when the estimate exceeds `available` bytes, locating the largest item's first
    /// key in `recipe`'s file.
    /// - Throws: `RecipeError.incompatible` naming the total, the machine's memory, each item
    ///   and what to reduce.
    public func check(in recipe: ResolvedRecipe, available: Double = machineBytes) throws(RecipeError) {
        let total = totalBytes
        guard total > available else { return }
        let largest = items.max { $0.bytes < $1.bytes }
        let key = largest?.keys.first ?? ""
        // The key's own value, else the closest enclosing section written in the file.
        var parts = key.split(separator: ".").map(String.init)
        var location: SourceLocation? = nil
        while location == nil, !parts.isEmpty {
            location = recipe.written.value(atPath: parts.joined(separator: "."))?.location
            parts.removeLast()
        }
        location = location ?? recipe.written.location
        let notes =
            items.sorted { $0.bytes > $1.bytes }.map { item in
                "\(item.what): \(Self.formatted(item.bytes)) (\(item.keys.joined(separator: ", ")))"
            } + ["reduce \(largest?.keys.joined(separator: " or ") ?? "the sizes") until the total fits"]
        throw .incompatible(
            headline:
                "\(command) would need about \(Self.formatted(total)) of memory, more than this machine's "
                + Self.formatted(available),
            notes: notes, location: location)
    }

    /// Bytes as people read them: `512 B`, `3.2 MB`, `8.0 TB` (powers of 1,000).
    static func formatted(_ bytes: Double) -> String {
        guard bytes.isFinite else { return "more than can be counted" }
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes
        var unit = 0
        while value >= 1_000, unit < units.count - 1 {
            value /= 1_000
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}

extension ResolvedRecipe {
    /// One sample's shape as the data section tells before loading: the image layout, or
    /// `[D]` from a generated set's declared shape; `nil` when only a file knows.
    var declaredSampleShape: [Int]? {
        guard let source = dataSpecification?.source else { return nil }
        if case .images(let shape) = source.sampleLayout { return shape }
        guard let declared = source.declaredShape, declared.count == 2 else { return nil }
        return [declared[1]]
    }
}
