import ScoreKitCore
import Testing

/// One test per message: the wording users read (STYLE.md §7).
@Suite("ConfigurationError")
struct ConfigurationErrorTests {
    @Test func unknownComponent() {
        let error = ConfigurationError.unknownComponent(
            kind: "sampler", id: "heun2", known: ["ddim", "euler", "heun"], suggestion: "heun", location: at(7, 25))
        #expect(
            error.description
                == "recipes/a.yaml:7:25: error: unknown sampler 'heun2'\n  known samplers: ddim, euler, heun\n"
                + "  did you mean 'heun'?")
    }

    @Test func unknownComponentWithoutSuggestionOrRegistrations() {
        let error = ConfigurationError.unknownComponent(
            kind: "loss", id: "x", known: [], suggestion: nil, location: nil)
        #expect(error.description == "error: unknown loss 'x'\n  no losses are registered")
    }

    @Test func unknownKeyForComponent() {
        let error = ConfigurationError.unknownKey(
            path: "loss", key: "weigting", component: "loss 'denoising-score-matching'",
            validKeys: ["timeDistribution", "weighting"], suggestion: "weighting", location: at(4, 48))
        #expect(
            error.description
                == "recipes/a.yaml:4:48: error: unknown key 'weigting' for loss 'denoising-score-matching'\n"
                + "  valid keys: timeDistribution, weighting; did you mean 'weighting'?")
    }

    @Test func unknownNestedKeyWithoutSuggestion() {
        let error = ConfigurationError.unknownKey(
            path: "network.optimizer", key: "lr", component: nil, validKeys: [], suggestion: nil, location: nil)
        #expect(error.description == "error: unknown key 'lr' in 'network.optimizer'\n  valid keys: none")
    }

    @Test func typeMismatch() {
        let error = ConfigurationError.typeMismatch(
            path: "sampler.churn", expected: "a number", found: "the string 'fast'", location: at(7, 40))
        #expect(
            error.description
                == "recipes/a.yaml:7:40: error: expected a number for 'sampler.churn', found the string 'fast'")
    }

    @Test func outOfRangeAsThrownByValidate() {
        let error = ConfigurationError.outOfRange(key: "churn", value: "-1.0", expected: "a number ≥ 0")
        #expect(error.description == "error: value -1.0 for 'churn' is out of range; expected a number ≥ 0")
        #expect(error.location == nil)
    }

    @Test func outOfRangeLocated() {
        let error = ConfigurationError.located(
            .outOfRange(key: "churn", value: "-1.0", expected: "a number ≥ 0"), path: "sampler.churn",
            location: at(7, 40))
        #expect(
            error.description
                == "recipes/a.yaml:7:40: error: value -1.0 for 'sampler.churn' is out of range; expected a number ≥ 0")
        #expect(error.location == at(7, 40))
    }

    @Test func invalidChoice() {
        let error = ConfigurationError.invalidChoice(
            path: "loss.weighting", value: "likelyhood", choices: ["likelihood", "simple"], suggestion: "likelihood",
            location: at(4, 58))
        #expect(
            error.description
                == "recipes/a.yaml:4:58: error: invalid value 'likelyhood' for 'loss.weighting'\n"
                + "  valid values: likelihood, simple; did you mean 'likelihood'?")
    }

    @Test func missingKind() {
        let error = ConfigurationError.missingKind(
            kind: "sampler", path: "sampler", known: ["euler", "heun"], location: at(7, 19))
        #expect(
            error.description
                == "recipes/a.yaml:7:19: error: missing 'kind' in 'sampler'\n"
                + "  'kind' names the sampler; known samplers: euler, heun")
    }

    @Test func duplicateKey() {
        let error = ConfigurationError.duplicateKey(path: "sampler", key: "churn", location: at(8, 3))
        #expect(
            error.description
                == "recipes/a.yaml:8:3: error: duplicate key 'churn' in 'sampler'\n  each key may appear once")
    }

    @Test func missingKey() {
        let error = ConfigurationError.missingKey(path: "network.layers.0", key: "width", location: nil)
        #expect(error.description == "error: missing key 'width' in 'network.layers.0'")
    }

    @Test func invalidOverride() {
        let error = ConfigurationError.invalidOverride(text: "sampler.churn", reason: "expected path=value")
        #expect(
            error.description
                == "error: invalid override 'sampler.churn': expected path=value\n"
                + "  overrides look like sampler.churn=0.2 or network.hiddenWidths=[128,128]")
    }

    @Test func decodingFailed() {
        let error = ConfigurationError.decodingFailed(path: "data.mean", reason: "not a vector", location: at(2, 9))
        #expect(error.description == "recipes/a.yaml:2:9: error: cannot decode 'data.mean': not a vector")
    }

    @Test func encodingFailed() {
        let error = ConfigurationError.encodingFailed(path: "seed", reason: "too large")
        #expect(error.description == "error: cannot encode 'seed': too large")
    }

    @Test func pluralsOfFamilyNames() {
        let names = [
            "sampler": "samplers", "loss": "losses", "sde": "sdes", "timeGrid": "timeGrids", "registry": "registries",
        ]
        for (kind, plural) in names {
            let error = ConfigurationError.unknownComponent(
                kind: kind, id: "x", known: ["a"], suggestion: nil, location: nil)
            #expect(error.description == "error: unknown \(kind) 'x'\n  known \(plural): a")
        }
    }
}
