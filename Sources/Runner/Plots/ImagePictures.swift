public import ScoreKitCore

/// The pictures of image runs, as PNG: grids of samples or data (one row per class for a
/// class-conditional run) and a strip of a few samples' denoising trajectories. `scorekit
/// sample` and `plot` write them when the recipe's data are images (`DataSet.image`).
///
/// Pixels are the samples' values mapped back to their levels (`ImageFormat.intensities`:
/// rounded, clamped, stretched to 0–255), so a grid shows what the images would store. Each
/// image is enlarged by a whole factor to at least `tileSide` pixels and framed by a gray line.
public enum ImagePictures {
    /// The smallest side of a drawn image, in pixels (8 × 8 digits are drawn 6 × larger).
    public static let tileSide = 48
    /// Images per row of a grid.
    public static let columnCount = 10
    /// Rows of a grid without classes.
    public static let rowCount = 10
    /// Samples in the trajectory strip.
    public static let trajectoryCount = 8
    /// Columns of the trajectory strip: the prior draw, intermediate steps, the final sample.
    public static let trajectoryColumnCount = 11
    /// The gray of the frame lines.
    static let frameGray: UInt8 = 110

    /// The first `rowCount × columnCount` of `samples` `[N, C·H·W]` (data space) in rows of
    /// `columnCount`; with `labels`, one row per class (classes in increasing order), holding
    /// that class's first `columnCount` samples.
    public static func grid(_ samples: Tensor, format: ImageFormat, labels: [Int]? = nil) -> PNGImage {
        let n = samples.shape[0]
        let d = format.dimension
        let pixels = format.intensities(samples)
        func tile(_ i: Int) -> ArraySlice<UInt8> { pixels[(i * d)..<((i + 1) * d)] }
        var rows: [[ArraySlice<UInt8>]] = []
        if let labels {
            precondition(labels.count == n, "one label per sample")
            for label in Set(labels).sorted() {
                let members = labels.indices.filter { labels[$0] == label }.prefix(columnCount)
                rows.append(members.map(tile))
            }
        } else {
            let shown = min(n, rowCount * columnCount)
            rows = stride(from: 0, to: shown, by: columnCount).map { start in
                (start..<min(start + columnCount, shown)).map(tile)
            }
        }
        return layout(rows, format: format)
    }

    /// The first `trajectoryCount` samples (sample i is sample i of `scorekit sample` with the
    /// same seed and `initial` noise), one per row, through the sampler's steps: the prior draw,
    /// then the state after evenly spaced steps of the grid, the last column the final sample.
    public static func trajectoryStrip(
        _ run: RunModel, method: SamplingMethod, seed: UInt64, initial: Tensor? = nil,
        recorded: RecordedNoise? = nil
    ) throws(SamplingError) -> PNGImage {
        guard let format = run.data.training.image else {
            preconditionFailure("a trajectory strip needs image data")
        }
        let start = initial.map { $0.slice(alongAxis: 0, 0..<min(trajectoryCount, $0.shape[0])) }
        let rows = start?.shape[0] ?? trajectoryCount
        let d = format.dimension
        var replay = recorded?.shard(0..<rows)
        let first =
            start
            ?? SamplingMethod.prior(sde: run.sde, count: rows, dimension: d, first: 0, seed: seed, recorded: &replay)
        var states = [first]
        _ = try method.drawStepwise(
            process: run.samplingProcess(first: 0, count: rows), count: rows, dimension: d, first: 0, seed: seed,
            initial: replay == nil ? start : first, recorded: replay
        ) { event in
            if case .stepFinished(_, _, _, let sample) = event { states.append(sample) }
        }
        let columns = min(trajectoryColumnCount, states.count)
        let picked = (0..<columns).map { k in
            columns == 1 ? 0 : Int((Double(k) * Double(states.count - 1) / Double(columns - 1)).rounded())
        }
        let pixels = picked.map { format.intensities(run.destandardize(states[$0])) }
        let grid = (0..<rows).map { i in pixels.map { $0[(i * d)..<((i + 1) * d)] } }
        return layout(grid, format: format)
    }

    /// The whole-number enlargement that makes an image at least `tileSide` pixels on its longer side.
    static func scale(for format: ImageFormat) -> Int {
        max(1, (tileSide + max(format.height, format.width) - 1) / max(format.height, format.width))
    }

    /// Tiles of intensities `[C·H·W]` laid out in rows, enlarged and framed.
    static func layout(_ rows: [[ArraySlice<UInt8>]], format: ImageFormat) -> PNGImage {
        let s = scale(for: format)
        let (h, w) = (format.height * s, format.width * s)
        let columns = max(1, rows.map(\.count).max() ?? 1)
        let color: PNGImage.Color = format.channelCount == 3 ? .rgb : .grayscale
        var image = PNGImage(
            width: columns * (w + 1) + 1, height: max(1, rows.count) * (h + 1) + 1, color: color)
        let c = color.channelCount
        for index in 0..<image.pixels.count { image.pixels[index] = frameGray }
        let plane = format.height * format.width
        for (r, tiles) in rows.enumerated() {
            for (k, tile) in tiles.enumerated() {
                let top = r * (h + 1) + 1
                let left = k * (w + 1) + 1
                let base = tile.startIndex
                for y in 0..<h {
                    for x in 0..<w {
                        let source = (y / s) * format.width + x / s
                        let target = ((top + y) * image.width + left + x) * c
                        for channel in 0..<c {
                            // RGB from channels 0, 1, 2; grayscale from channel 0 (others are not drawn).
                            image.pixels[target + channel] = tile[base + channel * plane + source]
                        }
                    }
                }
            }
        }
        return image
    }
}

extension ImagePictures {
    /// The gray of the sampled (unknown) pixels in a masked input.
    static let unknownGray: UInt8 = 128

    /// One row per example of a conditioned run (the first `rowCount` rows of known values):
    /// the masked input (sampled pixels gray), its first `columnCount − 2` samples (sample i is
    /// conditioned on row i mod R), and the original (the file's row, when it is finite everywhere).
    public static func conditioningStrip(
        _ samples: Tensor, observations: Observations, format: ImageFormat
    ) -> PNGImage {
        let d = format.dimension
        let r = observations.rowCount
        let n = samples.shape[0]
        let sampled = format.intensities(samples)
        let original = format.intensities(observations.original)
        let mask = observations.mask.scalars
        var rows: [[ArraySlice<UInt8>]] = []
        for e in 0..<min(r, rowCount) {
            let tile = original[(e * d)..<((e + 1) * d)]
            let maskRow = observations.mask.shape[0] == 1 ? 0 : e
            var masked = Array(tile)
            for j in 0..<d where mask[maskRow * d + j] == 0 { masked[j] = unknownGray }
            var row = [masked[...]]
            for i in Swift.stride(from: e, to: n, by: r).prefix(columnCount - 2) {
                row.append(sampled[(i * d)..<((i + 1) * d)])
            }
            if observations.isComplete[e] { row.append(tile) }
            rows.append(row)
        }
        return layout(rows, format: format)
    }
}
