import Foundation
import ScoreKitCore
import ScoreKitSDEs
import Testing

/// The laws every registered time grid satisfies on every process, and each grid's own spacing.
@Suite("TimeGrid")
struct TimeGridTests {
    /// The grids made from a step count (`times` takes a list; its own tests are below).
    static let gridIDs = testRegistry.ids(of: .timeGrid).map(\.rawValue).filter { $0 != "times" }

    @Test("decreasing, from T to the end time, `steps` steps", arguments: gridIDs, allProcesses)
    func laws(_ id: String, _ process: ProcessCase) throws {
        // Karras and log-SNR need a finite noise level at T: not with zero terminal SNR.
        if ["karras", "log-snr"].contains(id) && process.name.contains("zero terminal") { return }
        for finalStep in FinalStep.allCases {
            let settings: ConfigurationValue = [
                "kind": .string(id), "steps": 12, "finalStep": .string(finalStep.rawValue),
            ]
            let grid = try testRegistry.make(.timeGrid, from: settings)
            let times = grid.times(for: process.sde)
            let range = process.sde.timeRange
            #expect(zip(times, times.dropFirst()).allSatisfy { $0 > $1 }, "\(times)")
            if id == "discrete" {
                // diffusers' `leading` never visits the last step; `none` adds k = 0 unless already there.
                #expect(times.first! <= range.upperBound && times.last! >= 0)
                #expect(times.count == 13 || (finalStep == .none && times.count == 12))
            } else {
                #expect(times.first == range.upperBound)
                #expect(times.count == 13)
                let end = Swift.max(1e-3, range.lowerBound)
                #expect(times.last == (finalStep == .toZero ? 0 : end))
                if finalStep == .toZero { #expect(times[times.count - 2] == end) }
            }
        }
    }

    @Test func uniformAndQuadraticSpacing() throws {
        let sde = VariancePreservingSDE()
        var c = UniformTimeGrid.Configuration()
        c.steps = 4
        #expect(
            try UniformTimeGrid(configuration: c).times(for: sde).map { ($0 * 1e9).rounded() / 1e9 } == [
                1, 0.75025, 0.5005, 0.25075, 0.001,
            ])
        var q = QuadraticTimeGrid.Configuration()
        q.steps = 4
        let quadratic = try QuadraticTimeGrid(configuration: q).times(for: sde)
        for (i, t) in quadratic.enumerated() {
            let u = 1 - Double(i) / 4
            #expect(isClose(t, 0.001 + 0.999 * u * u, relative: 1e-14))
        }
    }

    /// EDM's `edm_sampler` with num_steps = 18, ρ = 7, σ ∈ [0.002, 80], then t_N = 0.
    @Test func karrasMatchesEDM() {
        let times = KarrasTimeGrid().times(for: EDMSDE())
        #expect(times.count == 19 && times.last == 0)
        for i in 0..<18 {
            let sigma = Foundation.pow(
                Foundation.pow(80, 1 / 7.0) + Double(i) / 17
                    * (Foundation.pow(0.002, 1 / 7.0) - Foundation.pow(80, 1 / 7.0)), 7)
            #expect(isClose(times[i], sigma, relative: 1e-12))
        }
    }

    @Test func karrasUsesTheNoiseLevelOfVPProcesses() {
        let sde = VariancePreservingSDE()
        let times = KarrasTimeGrid().times(for: sde)
        let levels = times.dropLast().map { Foundation.pow(sde.marginal(at: $0).noiseLevel, 1 / 7.0) }
        let gaps = zip(levels, levels.dropFirst()).map { $0 - $1 }
        #expect(gaps.allSatisfy { isClose($0, gaps[0], relative: 1e-8) }, "\(gaps)")
    }

    @Test func logSNRIsEvenInLogSNRAndGeometricInNoiseScale() throws {
        let sde = VariancePreservingSDE()
        let lambdas = LogSNRTimeGrid().times(for: sde).map { sde.marginal(at: $0).logSignalToNoiseRatio }
        let gaps = zip(lambdas, lambdas.dropFirst()).map { $1 - $0 }
        #expect(gaps.allSatisfy { isClose($0, gaps[0], relative: 1e-8) }, "\(gaps)")
        let sigmas = GeometricTimeGrid().times(for: sde).map { Foundation.log(sde.marginal(at: $0).noiseScale) }
        let ratios = zip(sigmas, sigmas.dropFirst()).map { $1 - $0 }
        #expect(ratios.allSatisfy { isClose($0, ratios[0], relative: 1e-8) }, "\(ratios)")
        // For VE the two coincide (α = 1).
        let ve = VarianceExplodingSDE()
        var g = GeometricTimeGrid.Configuration()
        g.steps = 20
        let geometric = try GeometricTimeGrid(configuration: g).times(for: ve)
        for (a, b) in zip(geometric, LogSNRTimeGrid().times(for: ve)) { #expect(isClose(a, b, relative: 1e-12)) }
    }

    func discrete(_ spacing: DiscreteTimeGrid.Spacing, steps: Int, offset: Int = 0) throws -> DiscreteTimeGrid {
        var c = DiscreteTimeGrid.Configuration()
        c.spacing = spacing
        c.steps = steps
        c.stepsOffset = offset
        return try DiscreteTimeGrid(configuration: c)
    }

    /// Indices printed by NumPy with diffusers' formulas, N = 1000.
    @Test func discreteSpacingsMatchDiffusers() throws {
        #expect(
            try discrete(.linspace, steps: 10).indices(latticeCount: 1000) == [
                999, 888, 777, 666, 555, 444, 333, 222, 111, 0,
            ])
        #expect(
            try discrete(.leading, steps: 10).indices(latticeCount: 1000) == [
                900, 800, 700, 600, 500, 400, 300, 200, 100, 0,
            ])
        #expect(
            try discrete(.trailing, steps: 10).indices(latticeCount: 1000) == [
                999, 899, 799, 699, 599, 499, 399, 299, 199, 99,
            ])
        let linspace50 = try discrete(.linspace, steps: 50).indices(latticeCount: 1000)
        #expect(Array(linspace50.prefix(6)) == [999, 979, 958, 938, 917, 897] && linspace50.suffix(3) == [41, 20, 0])
        let trailing30 = try discrete(.trailing, steps: 30).indices(latticeCount: 1000)
        #expect(Array(trailing30.prefix(4)) == [999, 966, 932, 899] && trailing30.suffix(2) == [66, 32])
        let leading30 = try discrete(.leading, steps: 30, offset: 1).indices(latticeCount: 1000)
        #expect(Array(leading30.prefix(3)) == [958, 925, 892] && leading30.last == 1)
    }

    /// diffusers 0.42.1 `DPMSolverMultistepScheduler`/`UniPCMultistepScheduler(...).set_timesteps(S)`, N = 1000.
    @Test func multistepConventionMatchesDiffusers() throws {
        func multistep(_ spacing: DiscreteTimeGrid.Spacing, steps: Int, offset: Int = 0) throws -> [Int] {
            var c = DiscreteTimeGrid.Configuration()
            (c.spacing, c.steps, c.stepsOffset, c.convention) = (spacing, steps, offset, .multistep)
            return try DiscreteTimeGrid(configuration: c).indices(latticeCount: 1000)
        }
        #expect(try multistep(.linspace, steps: 10) == [999, 899, 799, 699, 599, 500, 400, 300, 200, 100])
        #expect(try multistep(.leading, steps: 10) == [900, 810, 720, 630, 540, 450, 360, 270, 180, 90])
        #expect(try multistep(.trailing, steps: 10) == [999, 899, 799, 699, 599, 499, 399, 299, 199, 99])
        #expect(try multistep(.leading, steps: 7, offset: 1) == [876, 751, 626, 501, 376, 251, 126])
    }

    /// diffusers 0.42.1 `EulerDiscreteScheduler().set_timesteps(7)` on its default chain (linear β,
    /// N = 1000): fractional timesteps 999, 832.5, …, 0 and their interpolated σ.
    @Test func eulerConventionInterpolatesNoiseLevelsAsDiffusers() throws {
        let sde = DiscreteDDPMSDE()
        var c = DiscreteTimeGrid.Configuration()
        (c.spacing, c.steps, c.convention) = (.linspace, 7, .euler)
        let grid = try DiscreteTimeGrid(configuration: c)
        #expect(grid.timesteps(latticeCount: 1000) == [999, 832.5, 666, 499.5, 333, 166.5, 0])
        let sigmas = [
            157.4072723388672, 33.66373062133789, 9.488921165466309, 3.4335522651672363,
            1.4623570442199707, 0.5856084823608398, 0.010001329705119133,
        ]
        let times = grid.times(for: sde)
        #expect(times.count == 8 && times.last == 0)
        for (t, sigma) in zip(times, sigmas) {
            // diffusers multiplies ᾱ out in Float32 (ulp 6e-8 near 1): ᾱ = 1/(1 + σ²) to 3e-7, σ to 1e-6 where ᾱ < ½.
            let level = sde.marginal(at: t).noiseLevel
            #expect(isClose(1 / (1 + level * level), 1 / (1 + sigma * sigma), absolute: 3e-7), "t = \(t)")
            #expect(sigma < 1 || isClose(level, sigma, relative: 1e-6), "t = \(t)")
        }
        #expect(times[2] == sde.stepTimes[666] && times[6] == sde.stepTimes[0])
        // final_sigmas_type: sigma_min ends at k = 0, which linspace visits already.
        c.finalStep = .none
        #expect(try DiscreteTimeGrid(configuration: c).times(for: sde) == Array(times.dropLast()))
        // leading and trailing timesteps are whole: as the ddim convention.
        for spacing in [DiscreteTimeGrid.Spacing.leading, .trailing] {
            var d = DiscreteTimeGrid.Configuration()
            (d.spacing, d.steps) = (spacing, 7)
            var e = d
            e.convention = .euler
            #expect(
                try DiscreteTimeGrid(configuration: e).times(for: sde)
                    == DiscreteTimeGrid(configuration: d).times(for: sde))
        }
    }

    @Test func discreteTimesAreTheChainsStepTimes() throws {
        let sde = DiscreteDDPMSDE()
        let times = try discrete(.trailing, steps: 10).times(for: sde)
        #expect(times == [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0])
        var c = DiscreteTimeGrid.Configuration()
        c.spacing = .linspace
        c.steps = 10
        c.finalStep = .none
        let ending = try DiscreteTimeGrid(configuration: c).times(for: sde)
        #expect(ending.count == 10 && ending.last == 0.001)
    }

    /// `times`: a list of times as given; lattice timesteps as `discrete` maps them.
    @Test func explicitTimesAndTimesteps() throws {
        var c = ExplicitTimeGrid.Configuration()
        c.times = [1, 0.6, 0.25, 1e-3, 0]
        #expect(try ExplicitTimeGrid(configuration: c).times(for: VariancePreservingSDE()) == c.times)
        // diffusers' DPM-Solver `linspace` timesteps for 10 steps, on the DDPM chain, then t = 0.
        let sde = DiscreteDDPMSDE()
        let indices = try discrete(.linspace, steps: 10).indices(latticeCount: 1000)
        c = .init()
        c.timesteps = indices
        let grid = try ExplicitTimeGrid(configuration: c)
        var linspace = DiscreteTimeGrid.Configuration()
        (linspace.spacing, linspace.steps) = (.linspace, 10)
        #expect(grid.times(for: sde) == (try DiscreteTimeGrid(configuration: linspace)).times(for: sde))
        #expect(grid.problem(for: sde) == nil)
        // One step of the chain, k = 500 → 499.
        c.timesteps = [500, 499]
        c.finalStep = .none
        #expect(try ExplicitTimeGrid(configuration: c).times(for: sde) == [sde.stepTimes[500], sde.stepTimes[499]])
        // Past a 100-step chain's lattice: the grid says so.
        var short = DiscreteDDPMSDE.Configuration()
        short.trainStepCount = 100
        let shortChain = try DiscreteDDPMSDE(configuration: short)
        c.timesteps = [150, 50]
        #expect(
            try ExplicitTimeGrid(configuration: c).problem(for: shortChain)
                == "timestep 150 is past the process's lattice of 100 (indices 0 … 99)")
    }

    @Test func explicitGridFromFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "times-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let steps = folder.appendingPathComponent("steps.npy").path
        try NumPyFile.write(Tensor([999, 666, 333, 0], shape: [4]), to: steps)
        var c = ExplicitTimeGrid.Configuration()
        c.path = steps
        c.unit = .timestep
        var listed = ExplicitTimeGrid.Configuration()
        listed.timesteps = [999, 666, 333, 0]
        let sde = DiscreteDDPMSDE()
        #expect(
            try ExplicitTimeGrid(configuration: c).times(for: sde)
                == (try ExplicitTimeGrid(configuration: listed)).times(for: sde))
        let times = folder.appendingPathComponent("times.npy").path
        try NumPyFile.write(Tensor([1, 0.5, 0.125, 0], shape: [4]), to: times)
        c = .init()
        c.path = times
        #expect(try ExplicitTimeGrid(configuration: c).times(for: VariancePreservingSDE()) == [1, 0.5, 0.125, 0])
        // A 2-D array, an increasing list and a missing file are errors at `path`.
        try NumPyFile.write(Tensor([1, 0.5, 0.25, 0], shape: [2, 2]), to: times)
        try NumPyFile.write(Tensor([0, 0.5], shape: [2]), to: steps)
        for (path, unit) in [(times, ExplicitTimeGrid.Configuration.Unit.time), (steps, .time), (steps + "x", .time)] {
            c.path = path
            c.unit = unit
            let error = #expect(throws: ConfigurationError.self) { try ExplicitTimeGrid(configuration: c) }
            guard case .outOfRange(let key, _, _) = error else { continue }
            #expect(key == "path")
        }
    }

    @Test func explicitGridRejectsBadLists() {
        func rejects(_ change: (inout ExplicitTimeGrid.Configuration) -> Void, key: String) {
            var c = ExplicitTimeGrid.Configuration()
            change(&c)
            let error = #expect(throws: ConfigurationError.self) { try ExplicitTimeGrid(configuration: c) }
            guard case .outOfRange(let found, _, _) = error else { return }
            #expect(found == key)
        }
        rejects({ _ in }, key: "times")
        rejects(
            {
                $0.times = [1, 0.5]; $0.timesteps = [9, 0]
            }, key: "times")
        rejects({ $0.times = [1] }, key: "times")
        rejects({ $0.times = [1, 0.5, 0.5] }, key: "times.2")
        rejects({ $0.times = [1, -0.5] }, key: "times.1")
        rejects({ $0.times = [.nan, 0.5] }, key: "times.0")
        rejects({ $0.timesteps = [10, 20] }, key: "timesteps.1")
        rejects(
            {
                $0.timesteps = [5]; $0.finalStep = .none
            }, key: "timesteps")
    }

    @Test func rejectsInvalidSettings() {
        var c = KarrasTimeGrid.Configuration()
        c.rho = 0
        #expect(throws: ConfigurationError.outOfRange(key: "rho", value: "0.0", expected: "a finite number > 0")) {
            try KarrasTimeGrid(configuration: c)
        }
        var u = UniformTimeGrid.Configuration()
        u.steps = 0
        #expect(throws: ConfigurationError.self) { try UniformTimeGrid(configuration: u) }
        var d = DiscreteTimeGrid.Configuration()
        d.steps = 2000
        #expect(throws: ConfigurationError.self) { try DiscreteTimeGrid(configuration: d) }
    }
}
