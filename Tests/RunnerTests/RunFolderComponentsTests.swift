import Foundation
import ScoreKitCore
import ScoreKitRunner
import ScoreKitSamplers
import Testing

/// A run folder names the components it needs; an executable without one says which, and how to replace it.
@Suite("Run folders made by another executable")
struct RunFolderComponentsTests {
    /// A run folder of the exact grid sampled by predictor–corrector, its corrector renamed `kind`.
    func runFolder(corrector kind: String, sampler: String = "predictor-corrector") throws -> String {
        let folder = try temporaryFolder()
        let recipe = """
            sde:              { kind: variance-exploding, sigmaMin: 0.01, sigmaMax: 20 }
            parameterization: { kind: score }
            network:          { kind: exact-mixture }
            data:             { kind: ring, count: 2000, heldOutFraction: 0.1 }
            timeGrid:         { kind: uniform, steps: 20, endTime: 1e-5, finalStep: toZero }
            sampler:
              kind: \(sampler)
              predictor: { kind: reverse-diffusion }
              corrector: { kind: \(kind), snr: 0.16, steps: 1 }
            seed: 0
            """
        try recipe.write(toFile: folder + "/resolved-recipe.yaml", atomically: true, encoding: .utf8)
        return folder
    }

    @Test("A nested component this executable lacks is named, with the override that replaces it")
    func nestedComponent() throws {
        let folder = try runFolder(corrector: "plug-in-corrector")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var options = SamplingSession.Options(source: folder)
        options.count = 8
        options.pictures = false
        do {
            _ = try SamplingSession(options: options, registry: .standard()).run()
            Issue.record("an unknown corrector was accepted")
        } catch {
            let text = error.description
            #expect(text.contains("resolved-recipe.yaml:9:"), "\(text)")
            #expect(
                text.contains("the run folder '\(folder)' needs corrector 'plug-in-corrector'"), "\(text)")
            #expect(text.contains("does not register"), "\(text)")
            #expect(text.contains("--set sampler.corrector.kind=langevin"), "\(text)")
        }
        options.overrides = [ConfigurationOverride(path: "sampler.corrector.kind", value: "langevin")]
        let summary = try SamplingSession(options: options, registry: .standard()).run()
        #expect(summary.samples.shape == [8, 2])
    }

    @Test("A top-level component this executable lacks is named, with its override")
    func topLevelComponent() throws {
        let folder = try runFolder(corrector: "langevin", sampler: "plug-in-sampler")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            _ = try RunModel.load(RunModel.Source(path: folder), registry: .standard())
            Issue.record("an unknown sampler was accepted")
        } catch {
            guard case .recipe(.unregisteredComponent(_, let family, let id, let path, _, _, let location)) = error
            else {
                Issue.record("unexpected error: \(error)")
                return
            }
            #expect(family == "sampler" && id == "plug-in-sampler" && path == "sampler.kind")
            #expect(location?.line == 7)
        }
    }

    @Test("An unknown component a --set override names is the user's: located there, with a suggestion")
    func overriddenComponent() throws {
        let folder = try runFolder(corrector: "langevin")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let override = try ConfigurationOverride(parsing: "sampler.corrector.kind=langevn")
        do {
            _ = try RunModel.load(RunModel.Source(path: folder, overrides: [override]), registry: .standard())
            Issue.record("an unknown corrector was accepted")
        } catch {
            let text = error.description
            #expect(
                text.hasPrefix("--set 'sampler.corrector.kind=langevn':1:24: error: unknown corrector 'langevn'\n"),
                "\(text)")
            #expect(text.hasSuffix("did you mean 'langevin'?") && !text.contains("does not register"), "\(text)")
        }
    }

    @Test("A recipe file (not a run folder) keeps the plain unknown-component error")
    func recipeFile() throws {
        let folder = try runFolder(corrector: "plug-in-corrector")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            _ = try RunModel.load(RunModel.Source(path: folder + "/resolved-recipe.yaml"), registry: .standard())
            Issue.record("an unknown corrector was accepted")
        } catch {
            #expect(error.description.contains("unknown corrector 'plug-in-corrector'"), "\(error)")
        }
    }
}
