import ScoreKitCore
import ScoreKitRunner
import Testing

@Suite("Recipe")
struct RecipeTests {
    static let good = """
        sde:              { kind: fixture-exploding, sigmaMax: 80 }
        parameterization: { kind: fixture-denoised }
        loss:             { kind: denoising-score-matching, weighting: likelihood }
        network:          { kind: mlp, hiddenWidths: [64, 64] }
        optimizer:        { kind: adam }
        data:             { kind: ring, points: 1000 }
        seed: 7
        """

    @Test("a good recipe resolves every component it names")
    func resolvesComponents() throws {
        let resolved = try resolve(Self.good)
        #expect(resolved.componentIDs[.sde] == "fixture-exploding")
        #expect(resolved.componentIDs[.loss] == "denoising-score-matching")
        #expect(resolved.parameterization != nil && resolved.loss != nil)
        #expect(resolved.network != nil && resolved.optimizer != nil)
        #expect(resolved.sampler == nil && resolved.timeGrid == nil)
        #expect(resolved.sde.marginal(at: 1).noiseScale == 80)
        #expect(resolved.data == ["kind": "ring", "points": 1000])
        #expect(resolved.data?["points"]?.location == at(6, 41))
        #expect(resolved.seed == 7)
    }

    @Test("misspelled kind: did you mean, at the value's line and column")
    func misspelledKind() {
        let error = resolutionError("sde: { kind: fixture-explodin }\n")
        #expect(
            error?.description == """
                recipes/test.yaml:1:14: error: unknown sde 'fixture-explodin'
                  known sdes: fixture-exploding, fixture-interpolant
                  did you mean 'fixture-exploding'?
                """)
        #expect(error?.location == at(1, 14))
    }

    @Test("misspelled key: the valid keys and a suggestion, at the key")
    func misspelledKey() {
        let error = resolutionError("sde: { kind: fixture-exploding, sigmaMn: 0.1 }\n")
        #expect(
            error?.description == """
                recipes/test.yaml:1:33: error: unknown key 'sigmaMn' for sde 'fixture-exploding'
                  valid keys: sigmaMax, sigmaMin; did you mean 'sigmaMin'?
                """)
    }

    @Test("wrong type: what was expected and what was found, at the value")
    func wrongType() {
        let error = resolutionError("sde: { kind: fixture-exploding }\nnetwork: { kind: mlp, hiddenWidths: wide }\n")
        #expect(error?.location == at(2, 37))
        #expect(
            error?.description
                == "recipes/test.yaml:2:37: error: expected a sequence for 'network.hiddenWidths', found the string 'wide'"
        )
    }

    @Test("out-of-range value: the full key path and the allowed range, at the value")
    func outOfRange() {
        let error = resolutionError("sde:\n  kind: fixture-exploding\n  sigmaMin: -1\n")
        #expect(
            error?.description
                == "recipes/test.yaml:3:13: error: value -1.0 for 'sde.sigmaMin' is out of range; expected a number > 0"
        )
        let loss = resolutionError(
            "sde: { kind: fixture-exploding }\nloss: { kind: denoising-score-matching, sigmaMin: -1 }\n")
        #expect(
            loss?.description
                == "recipes/test.yaml:2:51: error: value -1.0 for 'loss.sigmaMin' is out of range; expected a number > 0"
        )
    }

    @Test("unknown top-level key: the valid keys and a suggestion")
    func unknownSection() {
        let error = resolutionError("sde: { kind: fixture-exploding }\nsmapler: { kind: heun }\n")
        #expect(
            error
                == .unknownSection(
                    key: "smapler", validKeys: RecipeSection.sortedKeys, suggestion: "sampler", location: at(2, 1)))
        #expect(
            error?.description == """
                recipes/test.yaml:2:1: error: unknown top-level key 'smapler'
                  valid keys: clipping, conditioning, data, evaluation, guidance, likelihood, loss, network, \
                optimizer, parameterization, sampler, sde, seed, timeGrid, training; did you mean 'sampler'?
                """)
    }

    @Test("a recipe without sde")
    func missingSDE() {
        let error = resolutionError("loss: { kind: denoising-score-matching }\n")
        #expect(error == .missingSection(key: "sde", purpose: "every recipe"))
        #expect(
            error?.description == """
                error: the recipe has no 'sde' section
                  every recipe needs one, such as sde: { kind: … }
                """)
    }

    @Test("a recipe that is not a mapping")
    func notAMapping() {
        let error = resolutionError("- sde\n- loss\n")
        #expect(
            error?.description == """
                recipes/test.yaml:1:1: error: a recipe must be a mapping of sections, found a sequence
                  sections: sde, parameterization, loss, network, optimizer, timeGrid, sampler, guidance, clipping, \
                conditioning, data, training, likelihood, evaluation, seed
                """)
        #expect(resolutionError("# empty\n") == .notAMapping(found: "an empty document", location: at(1, 1)))
    }

    @Test("a key written twice in a component, at the top level and in a plain section")
    func duplicateKeys() {
        let component = resolutionError("sde:\n  kind: fixture-exploding\n  sigmaMin: 0.1\n  sigmaMin: 0.2\n")
        #expect(
            component?.description == """
                recipes/test.yaml:4:3: error: duplicate key 'sigmaMin' in 'sde'
                  each key may appear once
                """)
        let top = resolutionError("sde: { kind: fixture-exploding }\nseed: 1\nseed: 2\n")
        #expect(top == .configuration(.duplicateKey(path: "", key: "seed", location: at(3, 1))))
        let plain = resolutionError("sde: { kind: fixture-exploding }\ndata:\n  ring: { points: 1, points: 2 }\n")
        #expect(plain == .configuration(.duplicateKey(path: "data.ring", key: "points", location: at(3, 22))))
    }

    @Test("seed must be a whole number ≥ 0")
    func seed() {
        #expect(
            resolutionError("sde: { kind: fixture-exploding }\nseed: 1.5\n")?.description
                == "recipes/test.yaml:2:7: error: expected an integer for 'seed', found the number 1.5")
        #expect(
            resolutionError("sde: { kind: fixture-exploding }\nseed: -3\n")?.description
                == "recipes/test.yaml:2:7: error: value -3 for 'seed' is out of range; expected an integer ≥ 0")
    }

    @Test("a plain section must be a mapping")
    func plainSectionType() {
        #expect(
            resolutionError("sde: { kind: fixture-exploding }\ntraining: 5\n")?.description
                == "recipes/test.yaml:2:11: error: expected a mapping for 'training', found the integer 5")
    }

    @Test("errors of independent sections are all reported, in recipe order")
    func multipleErrors() {
        let error = resolutionError(
            """
            sde: { kind: fixture-exploding, sigmaMin: -1 }
            loss: { kind: denoising-score-matching, weigting: likelihood }
            network: { kind: mpl }
            seed: x
            """)
        let errors = error?.errors ?? []
        #expect(errors.map(\.location) == [at(1, 43), at(2, 41), at(3, 18), at(4, 7)])
        #expect(error?.description.split(separator: "\n").filter { $0.contains("error:") }.count == 4)
    }

    @Test("--set overrides a value, a list, an element, and creates a section")
    func overrides() throws {
        let resolved = try resolve(
            Self.good,
            overrides: [
                "sde.sigmaMax=20", "network.hiddenWidths=[32, 16, 8]", "network.hiddenWidths.2=4", "seed=11",
                "training.batchSize=256",
            ])
        #expect(resolved.sde.marginal(at: 1).noiseScale == 20)
        #expect(resolved.tree["network"]?["hiddenWidths"] == [32, 16, 4])
        #expect(resolved.training == ["batchSize": 256])
        #expect(resolved.seed == 11)
        let created = try resolve("sde: { kind: fixture-exploding }\n", overrides: ["optimizer.kind=adam"])
        #expect(created.componentIDs[.optimizer] == "adam")
        #expect(created.tree["optimizer"]?["beta1"] == 0.9)
    }

    @Test("an override is validated like a value in the file")
    func overrideValidated() {
        let error = resolutionError(Self.good, overrides: ["loss.sigmaMin=-1"])
        #expect(
            error?.description
                == "--set 'loss.sigmaMin=-1':1:15: error: value -1.0 for 'loss.sigmaMin' is out of range; "
                + "expected a number > 0")
        let blocked = resolutionError(Self.good, overrides: ["seed.value=1"])
        #expect(
            blocked?.description == """
                error: invalid override 'seed.value=1': 'seed' is an integer, not a mapping
                  overrides look like sampler.churn=0.2 or network.hiddenWidths=[128,128]
                """)
    }

    /// Line `line`, column `column` of the override `argument`'s own text.
    func inOverride(_ argument: String, _ column: Int, line: Int = 1) -> ScoreKitCore.SourceLocation {
        ScoreKitCore.SourceLocation(file: ConfigurationOverride.sourceName(of: argument), line: line, column: column)
    }

    @Test("an override's errors are located in its own text: values, keys, sections, suggestions")
    func overrideErrorsLocated() {
        func message(_ override: String) -> String {
            resolutionError(Self.good, overrides: [override])?.description ?? "resolved"
        }
        #expect(
            message("training.batchSize=abc")
                == "--set 'training.batchSize=abc':1:20: error: expected an integer for 'training.batchSize', "
                + "found the string 'abc'")
        #expect(
            message("network=5")
                == "--set 'network=5':1:9: error: expected a mapping with a 'kind' key for 'network', found the integer 5"
        )
        #expect(
            message("network.hiddenWidths=[64, x]")
                == "--set 'network.hiddenWidths=[64, x]':1:27: error: expected an integer for "
                + "'network.hiddenWidths.1', found the string 'x'")
        let kind = message("optimizer={kind: adma}")
        #expect(kind.hasPrefix("--set 'optimizer={kind: adma}':1:18: error: unknown optimizer 'adma'\n"), "\(kind)")
        #expect(kind.hasSuffix("did you mean 'adam'?"), "\(kind)")
        let key = message("loss.weigting=likelihood")
        #expect(
            key.hasPrefix(
                "--set 'loss.weigting=likelihood':1:6: error: unknown key 'weigting' for loss 'denoising-score-matching'"
            ),
            "\(key)")
        #expect(key.hasSuffix("did you mean 'weighting'?"), "\(key)")
        let section = message("a.b.c.d.e=1")
        #expect(section.hasPrefix("--set 'a.b.c.d.e=1':1:1: error: unknown top-level key 'a'\n"), "\(section)")
        #expect(message("smapler.kind=euler").hasSuffix("did you mean 'sampler'?"))
        #expect(
            message("seed=-3")
                == "--set 'seed=-3':1:6: error: value -3 for 'seed' is out of range; expected an integer ≥ 0")
    }

    @Test("values an override passes through keep the file's locations; the file's errors come first")
    func overridePassesThrough() throws {
        let element = "network.hiddenWidths.1=8"
        let recipe = try Recipe(yaml: Self.good, source: recipeFile)
            .applying([try ConfigurationOverride(parsing: element)])
        let network = try #require(recipe.tree.entries?.first { $0.key == "network" })
        #expect(network.keyLocation == at(4, 1) && network.value.location == at(4, 19))
        #expect(network.value["kind"]?.location == at(4, 27))
        #expect(network.value["hiddenWidths"]?.location == at(4, 46))
        #expect(network.value["hiddenWidths"]?.elements?.map(\.location) == [at(4, 47), inOverride(element, 24)])
        let error = resolutionError(
            "sde: { kind: fixture-exploding }\nnetwork: { kind: mpl }\n", overrides: ["seed=x", "loss.kind=nope"])
        #expect(
            error?.errors.map(\.location) == [at(2, 18), inOverride("loss.kind=nope", 11), inOverride("seed=x", 6)])
    }

    @Test("a missing recipe file is named")
    func missingFile() {
        #expect(throws: RecipeError.fileNotFound(path: "recipes/nope.yaml")) {
            try Recipe.load(contentsOf: "recipes/nope.yaml")
        }
    }
}
