import ScoreKitCore
import Testing

@Suite("ConfigurationDecoder")
struct ConfigurationDecoderTests {
    private func decode(_ value: ConfigurationValue) throws(ConfigurationError) -> FixtureConfiguration {
        try FixtureConfiguration.decode(from: value, path: "sampler")
    }

    @Test func roundTripThroughEncoder() throws {
        var original = FixtureConfiguration()
        original.churn = 0.5
        original.steps = 40
        original.name = "custom"
        original.enabled = false
        original.weighting = .snr
        original.hiddenWidths = [128, 256, 512]
        original.optimizer.betas = [0.5, 0.9]
        let tree = try ConfigurationEncoder().encode(original)
        #expect(try ConfigurationDecoder().decode(FixtureConfiguration.self, from: tree) == original)
        #expect(try decode(tree) == original)
    }

    @Test func missingKeysTakeDefaults() throws {
        let decoded = try decode(["steps": 40, "optimizer": ["learningRate": 0.01]])
        var expected = FixtureConfiguration()
        expected.steps = 40
        expected.optimizer.learningRate = 0.01
        #expect(decoded == expected)
        #expect(try decode(nil) == FixtureConfiguration())
        #expect(try decode([:]) == FixtureConfiguration())
    }

    @Test func unknownKeyIsRejectedWithSuggestionAndLocation() {
        let value = ConfigurationValue.mapping(
            [.init(key: "stesp", value: .integer(40, at: at(3, 30)), keyLocation: at(3, 23))], at: at(3, 22))
        #expect(
            throws: ConfigurationError.unknownKey(
                path: "sampler", key: "stesp", component: nil,
                validKeys: ["churn", "enabled", "hiddenWidths", "name", "optimizer", "steps", "weighting"],
                suggestion: "steps", location: at(3, 23))
        ) {
            try decode(value)
        }
    }

    @Test func unknownKeyFarFromAnyValidKeyHasNoSuggestion() throws {
        let error = #expect(throws: ConfigurationError.self) { try decode(["momentum": 0.9]) }
        guard case .unknownKey(_, let key, _, _, let suggestion, _) = try #require(error) else {
            Issue.record("expected unknownKey, got \(String(describing: error))")
            return
        }
        #expect(key == "momentum")
        #expect(suggestion == nil)
    }

    @Test func unknownNestedKeyNamesItsPath() {
        let optimizer = ConfigurationValue.mapping(
            [.init(key: "learningRat", value: 0.1, keyLocation: at(5, 14))], at: at(5, 13))
        #expect(
            throws: ConfigurationError.unknownKey(
                path: "sampler.optimizer", key: "learningRat", component: nil, validKeys: ["betas", "learningRate"],
                suggestion: "learningRate", location: at(5, 14))
        ) {
            try decode(.mapping([.init(key: "optimizer", value: optimizer)]))
        }
    }

    @Test func typeMismatchNamesPathExpectedAndFound() {
        let value = ConfigurationValue.mapping([.init(key: "churn", value: .string("fast", at: at(2, 12)))])
        #expect(
            throws: ConfigurationError.typeMismatch(
                path: "sampler.churn", expected: "a number", found: "the string 'fast'", location: at(2, 12))
        ) {
            try decode(value)
        }
    }

    @Test func typeMismatchInsideSequenceNamesTheIndex() {
        #expect(
            throws: ConfigurationError.typeMismatch(
                path: "sampler.hiddenWidths.1", expected: "an integer", found: "the string 'wide'", location: nil)
        ) {
            try decode(["hiddenWidths": [128, "wide"]])
        }
    }

    @Test func integersAreAcceptedForDoubles() throws {
        #expect(try decode(["churn": 1]).churn == 1.0)
        #expect(try decode(["optimizer": ["betas": [1, 0]]]).optimizer.betas == [1.0, 0.0])
    }

    @Test func nonIntegralNumbersAreRejectedForIntegers() throws {
        #expect(
            throws: ConfigurationError.typeMismatch(
                path: "sampler.steps", expected: "an integer", found: "the number 18.5", location: nil)
        ) {
            try decode(["steps": 18.5])
        }
        #expect(try decode(["steps": 1e3]).steps == 1000)
    }

    @Test func integersOutOfTheirTypesRangeAreRejected() {
        struct Small: Codable { var level: Int8 }
        #expect(
            throws: ConfigurationError.located(
                .outOfRange(key: "level", value: "300", expected: "an integer from -128 to 127"),
                path: "level", location: nil)
        ) {
            try ConfigurationDecoder().decode(Small.self, from: ["level": 300])
        }
    }

    @Test func booleansAndStringsAreExact() {
        #expect(
            throws: ConfigurationError.typeMismatch(
                path: "sampler.enabled", expected: "a boolean", found: "the integer 1", location: nil)
        ) {
            try decode(["enabled": 1])
        }
        #expect(
            throws: ConfigurationError.typeMismatch(
                path: "sampler.name", expected: "a string", found: "the boolean true", location: nil)
        ) {
            try decode(["name": true])
        }
        #expect(
            throws: ConfigurationError.typeMismatch(
                path: "sampler.churn", expected: "a number", found: "null", location: nil)
        ) {
            try decode(["churn": nil])
        }
    }

    @Test func nestedStructureEnumerationAndSequenceFields() throws {
        let decoded = try decode([
            "weighting": "simple", "hiddenWidths": [128, 256], "optimizer": ["learningRate": 0.01],
        ])
        #expect(decoded.weighting == .simple)
        #expect(decoded.hiddenWidths == [128, 256])
        #expect(decoded.optimizer == FixtureOptimizer(learningRate: 0.01, betas: [0.9, 0.999]))
    }

    @Test func misspelledEnumerationValueListsTheValidValues() {
        let value = ConfigurationValue.mapping([.init(key: "weighting", value: .string("likelyhood", at: at(4, 30)))])
        #expect(
            throws: ConfigurationError.invalidChoice(
                path: "sampler.weighting", value: "likelyhood", choices: ["likelihood", "simple", "snr"],
                suggestion: "likelihood", location: at(4, 30))
        ) {
            try decode(value)
        }
    }

    @Test func validateOutOfRangeGetsPathAndLocation() {
        let value = ConfigurationValue.mapping(
            [.init(key: "churn", value: .integer(-1, at: at(7, 40)), keyLocation: at(7, 33))], at: at(7, 19))
        #expect(
            throws: ConfigurationError.located(
                .outOfRange(key: "churn", value: "-1.0", expected: "a number ≥ 0"), path: "sampler.churn",
                location: at(7, 40))
        ) {
            try decode(value)
        }
    }

    @Test func validateOutOfRangeOfNestedKeyFindsItsLocation() {
        let optimizer = ConfigurationValue.mapping([.init(key: "learningRate", value: .integer(0, at: at(5, 30)))])
        #expect(
            throws: ConfigurationError.located(
                .outOfRange(key: "optimizer.learningRate", value: "0.0", expected: "a number > 0"),
                path: "sampler.optimizer.learningRate", location: at(5, 30))
        ) {
            try decode(.mapping([.init(key: "optimizer", value: optimizer)], at: at(5, 1)))
        }
    }

    @Test func duplicateKeysAreRejected() {
        let value = ConfigurationValue.mapping([
            .init(key: "churn", value: 0.1, keyLocation: at(1, 3)),
            .init(key: "churn", value: 0.2, keyLocation: at(2, 3)),
        ])
        #expect(throws: ConfigurationError.duplicateKey(path: "sampler", key: "churn", location: at(2, 3))) {
            try decode(value)
        }
    }

    @Test func sectionMustBeAMapping() {
        #expect(
            throws: ConfigurationError.typeMismatch(
                path: "sampler", expected: "a mapping", found: "a sequence", location: nil)
        ) {
            try decode([1, 2])
        }
    }

    @Test func structuresInsideSequencesAreStrict() throws {
        struct Layer: Codable, Equatable { var width: Int }
        struct Network: Codable, Equatable { var layers: [Layer] }
        let decoder = ConfigurationDecoder()
        #expect(
            try decoder.decode(Network.self, from: ["layers": [["width": 8]]], path: "network")
                == Network(layers: [Layer(width: 8)]))
        #expect(
            throws: ConfigurationError.unknownKey(
                path: "network.layers.0", key: "widht", component: nil, validKeys: ["width"], suggestion: "width",
                location: nil)
        ) {
            try decoder.decode(Network.self, from: ["layers": [["width": 8, "widht": 9]]], path: "network")
        }
        #expect(throws: ConfigurationError.missingKey(path: "network.layers.0", key: "width", location: nil)) {
            try decoder.decode(Network.self, from: ["layers": [[:]]], path: "network")
        }
    }

    @Test func dictionariesDecodeEveryKey() throws {
        let weights = try ConfigurationDecoder().decode([String: Double].self, from: ["a": 1, "b": 0.5])
        #expect(weights == ["a": 1, "b": 0.5])
    }
}
