import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

/// The generated data sets: shapes, moments against closed forms, labels, seeds.
@Suite("Generated data sets")
struct DataSetTests {
    /// Per-dimension means and mean squares of `samples` `[N, D]`, in Double.
    static func moments(_ samples: Tensor) -> (mean: [Double], meanSquare: [Double]) {
        let (n, d) = (samples.shape[0], samples.shape[1])
        var mean = [Double](repeating: 0, count: d)
        var square = [Double](repeating: 0, count: d)
        let x = samples.scalars
        for i in 0..<n {
            for j in 0..<d {
                mean[j] += Double(x[i * d + j]) / Double(n)
                square[j] += Double(x[i * d + j]) * Double(x[i * d + j]) / Double(n)
            }
        }
        return (mean, square)
    }

    /// Sample i as a pair.
    static func point(_ samples: Tensor, _ i: Int) -> (Double, Double) {
        samples.withUnsafeBufferPointer { (Double($0[2 * i]), Double($0[2 * i + 1])) }
    }

    /// The mean of (x, y) over the samples labelled `label`.
    static func classMean(_ set: DataSet, _ label: Int) -> (Double, Double) {
        var (sx, sy, n) = (0.0, 0.0, 0.0)
        for (i, l) in (set.labels ?? []).enumerated() where l == label {
            let (x, y) = point(set.samples, i)
            (sx, sy, n) = (sx + x, sy + y, n + 1)
        }
        return (sx / n, sy / n)
    }

    static let everyGenerator = [
        "ring", "grid", "gaussian-mixture", "two-moons", "swiss-roll", "concentric-rings", "checkerboard", "pinwheel",
        "spirals",
    ]

    @Test("every generator: [count, 2] finite samples, labels in range, all classes drawn", arguments: everyGenerator)
    func shapes(kind: String) throws {
        let data = try prepareData("{ kind: \(kind), count: 4000, labelled: true }")
        #expect(data.training.samples.shape == [4000, 2])
        #expect(data.training.samples.scalars.allSatisfy { $0.isFinite })
        let labels = try #require(data.training.labels)
        #expect(labels.allSatisfy { (0..<data.training.classCount).contains($0) })
        #expect(Set(labels).count == data.training.classCount)
        #expect(data.heldOut == nil && data.standardization == nil)
    }

    @Test(
        "unlabelled by default; the first n samples do not depend on count; the seed changes them",
        arguments: everyGenerator)
    func seeds(kind: String) throws {
        let small = try prepareData("{ kind: \(kind), count: 100 }")
        let large = try prepareData("{ kind: \(kind), count: 1000 }")
        let other = try prepareData("{ kind: \(kind), count: 100, seed: 1 }")
        #expect(small.training.labels == nil && small.classCount == 0)
        #expect(large.training.samples.slice(alongAxis: 0, 0..<100) == small.training.samples)
        #expect(other.training.samples != small.training.samples)
    }

    @Test("ring: mean 0, E‖x‖² = r² + 2s², each label nearest its own mean")
    func ring() throws {
        let set = try prepareData("{ kind: ring, count: 20000, labelled: true }").training
        let (mean, square) = Self.moments(set.samples)
        #expect(abs(mean[0]) < 0.1 && abs(mean[1]) < 0.1)
        #expect(abs(square[0] + square[1] - (25 + 2 * 0.16)) < 0.25)
        for i in 0..<500 {
            let (x, y) = Self.point(set.samples, i)
            let angle = atan2(y, x) < 0 ? atan2(y, x) + 2 * Double.pi : atan2(y, x)
            #expect(Int((angle / (2 * Double.pi / 8)).rounded()) % 8 == set.labels![i])
        }
    }

    @Test("grid: 25 components at {−4, −2, 0, 2, 4}², E[x²] = 8 + s², labels exact")
    func grid() throws {
        let set = try prepareData("{ kind: grid, count: 20000, labelled: true }").training
        let (mean, square) = Self.moments(set.samples)
        #expect(abs(mean[0]) < 0.06 && abs(mean[1]) < 0.06)
        #expect(abs(square[0] - 8.0025) < 0.2 && abs(square[1] - 8.0025) < 0.2)
        for i in 0..<2000 {
            let (x, y) = Self.point(set.samples, i)
            let k = Int(((x + 4) / 2).rounded()) * 5 + Int(((y + 4) / 2).rounded())
            #expect(k == set.labels![i])
        }
    }

    @Test("gaussian-mixture: weights, means and a full covariance are honoured")
    func mixture() throws {
        let set = try prepareData(
            "{ kind: gaussian-mixture, count: 20000, labelled: true, weights: [1, 3], means: [[-2, 0], [2, 0]], "
                + "covariances: [[[1, 0.5], [0.5, 1]], [[0.25, 0], [0, 0.25]]] }"
        ).training
        let share = Double(set.labels!.filter { $0 == 1 }.count) / 20000
        #expect(abs(share - 0.75) < 0.02)
        #expect(abs(Self.moments(set.samples).mean[0] - 1) < 0.05)
        var covariance = 0.0
        var n = 0.0
        for (i, label) in set.labels!.enumerated() where label == 0 {
            let (x, y) = Self.point(set.samples, i)
            covariance += (x + 2) * y
            n += 1
        }
        #expect(abs(covariance / n - 0.5) < 0.06)
    }

    @Test("two moons: mean (½, ¼), moon 0 above (mean y 2/π), moon 1 below (½ − 2/π)")
    func moons() throws {
        let set = try prepareData("{ kind: two-moons, count: 20000, labelled: true }").training
        let mean = Self.moments(set.samples).mean
        #expect(abs(mean[0] - 0.5) < 0.03 && abs(mean[1] - 0.25) < 0.03)
        #expect(abs(Self.classMean(set, 0).1 - 2 / Double.pi) < 0.03)
        #expect(abs(Self.classMean(set, 1).1 - (0.5 - 2 / Double.pi)) < 0.03)
    }

    @Test("swiss roll: radius 0.2θ within [0.94, 2.83] up to noise, growing with the label")
    func swissRoll() throws {
        let set = try prepareData("{ kind: swiss-roll, count: 8000, labelled: true, noise: 0 }").training
        var radii = [[Double]](repeating: [], count: 4)
        for i in 0..<set.count {
            let (x, y) = Self.point(set.samples, i)
            radii[set.labels![i]].append((x * x + y * y).squareRoot())
        }
        let all = radii.joined()
        #expect(all.min()! > 0.2 * 1.5 * Double.pi - 1e-4 && all.max()! < 0.2 * 4.5 * Double.pi + 1e-4)
        let means = radii.map { $0.reduce(0, +) / Double($0.count) }
        #expect(means == means.sorted())
    }

    @Test("concentric rings: each label's mean radius is its radius")
    func concentric() throws {
        let set = try prepareData("{ kind: concentric-rings, count: 8000, labelled: true, radii: [1, 2.5, 4] }")
            .training
        for (label, radius) in [1.0, 2.5, 4.0].enumerated() {
            var total = 0.0
            var n = 0.0
            for (i, l) in set.labels!.enumerated() where l == label {
                let (x, y) = Self.point(set.samples, i)
                total += (x * x + y * y).squareRoot()
                n += 1
            }
            #expect(abs(total / n - radius) < 0.02)
        }
    }

    @Test("checkerboard: every point on its dark square of [−4, 4]²")
    func checkerboard() throws {
        let set = try prepareData("{ kind: checkerboard, count: 4000, labelled: true }").training
        #expect(set.classCount == 8)
        for i in 0..<set.count {
            let (x, y) = Self.point(set.samples, i)
            let (column, row) = (Int(floor((x + 4) / 2)), Int(floor((y + 4) / 2)))
            #expect((0..<4).contains(column) && (0..<4).contains(row) && (column + row) % 2 == 0)
            #expect(set.labels![i] == (row * 4 + column) / 2)
        }
    }

    @Test(
        "pinwheel and spirals: arm k is arm 0 turned by ∓2πk/K (the pinwheel turns clockwise)",
        arguments: [("pinwheel", 5, -1.0), ("spirals", 2, 1.0)])
    func arms(kind: String, armCount: Int, direction: Double) throws {
        let set = try prepareData("{ kind: \(kind), count: 20000, labelled: true }").training
        let (x0, y0) = Self.classMean(set, 0)
        for arm in 1..<armCount {
            let angle = direction * 2 * Double.pi * Double(arm) / Double(armCount)
            let (x, y) = Self.classMean(set, arm)
            #expect(abs(x - (x0 * cos(angle) - y0 * sin(angle))) < 0.08)
            #expect(abs(y - (x0 * sin(angle) + y0 * cos(angle))) < 0.08)
        }
    }

    @Test("split: held-out fraction, disjoint and complete, fixed by the data seed")
    func split() throws {
        let data = try prepareData("{ kind: ring, count: 1000, heldOutFraction: 0.25 }")
        let all = try prepareData("{ kind: ring, count: 1000 }").training
        let heldOut = try #require(data.heldOut)
        #expect(heldOut.count == 250 && data.training.count == 750)
        let rows = { (set: DataSet) in (0..<set.count).map { Self.point(set.samples, $0) }.map { "\($0.0),\($0.1)" } }
        #expect(Set(rows(heldOut)).isDisjoint(with: rows(data.training)))
        #expect(Set(rows(heldOut)).union(rows(data.training)) == Set(rows(all)))
        #expect(try prepareData("{ kind: ring, count: 1000, heldOutFraction: 0.25 }").heldOut == heldOut)
    }

    @Test("standardisation: fitted on the training part, mean 0 and std 1, inverted exactly enough")
    func standardization() throws {
        let data = try prepareData(
            "{ kind: two-moons, count: 2000, heldOutFraction: 0.1, standardization: perDimension }")
        let map = try #require(data.standardization)
        let (mean, square) = Self.moments(data.training.samples)
        #expect(mean.allSatisfy { abs($0) < 1e-5 } && square.allSatisfy { abs($0 - 1) < 1e-4 })
        let raw = try prepareData("{ kind: two-moons, count: 2000, heldOutFraction: 0.1 }")
        let back = map.invert(data.heldOut!.samples).scalars
        #expect(zip(back, raw.heldOut!.samples.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(map.tensors.map(\.name) == ["data.mean", "data.standardDeviation"])
    }

    @Test("too few samples for the split: one paragraph")
    func tooFew() throws {
        #expect(
            try dataError("{ kind: ring, count: 1, heldOutFraction: 0.5 }")?.description == """
                data set 'ring': error: the data set has 1 sample; holding out 0.5 of them leaves 0 for training and 1 held out
                  give more samples (data.count for generated sets) or lower data.heldOutFraction
                """)
    }
}
