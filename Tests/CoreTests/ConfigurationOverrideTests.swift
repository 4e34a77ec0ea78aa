import ScoreKitCore
import Testing

/// Where the parts of a parsed `--set` override are: its own text is the file.
@Suite("ConfigurationOverride")
struct ConfigurationOverrideTests {
    /// Line `line`, column `column` of `argument`, as the override names itself.
    func at(_ argument: String, _ column: Int, line: Int = 1) -> ScoreKitCore.SourceLocation {
        ScoreKitCore.SourceLocation(file: ConfigurationOverride.sourceName(of: argument), line: line, column: column)
    }

    @Test("the override names itself in single quotes, shortened to its first line and 80 bytes")
    func sourceName() {
        #expect(ConfigurationOverride.sourceName(of: "training.batchSize=abc") == "--set 'training.batchSize=abc'")
        #expect(ConfigurationOverride.sourceName(of: "data.name='a b'") == #"--set 'data.name='\''a b'\'''"#)
        let long = "network.hiddenWidths=[" + String(repeating: "64, ", count: 40) + "64]"
        #expect(ConfigurationOverride.sourceName(of: long) == "--set '\(long.prefix(80))…'")
        #expect(ConfigurationOverride.sourceName(of: "seed=1\n# the usual") == "--set 'seed=1…'")
        let error = ConfigurationError.typeMismatch(
            path: "training.batchSize", expected: "an integer", found: "the string 'abc'",
            location: at("training.batchSize=abc", 20))
        #expect(
            error.description
                == "--set 'training.batchSize=abc':1:20: error: expected an integer for 'training.batchSize', "
                + "found the string 'abc'")
    }

    @Test("each part of the path is located at its key, the value at its first character")
    func pathAndScalar() throws {
        let argument = "training.batchSize=abc"
        let override = try ConfigurationOverride(parsing: argument)
        #expect(override.keyLocations == [at(argument, 1), at(argument, 10)])
        #expect(override.value.location == at(argument, 20))
        let spaced = " sampler.churn =  0.5 # half"
        let padded = try ConfigurationOverride(parsing: spaced)
        #expect(padded.keyLocations == [at(spaced, 2), at(spaced, 10)])
        #expect(padded.value == 0.5 && padded.value.location == at(spaced, 19))
        let empty = try ConfigurationOverride(parsing: "data.name=")
        #expect(empty.value.isNull && empty.value.location == at("data.name=", 11))
        let quoted = "data.name='a b'"
        #expect(try ConfigurationOverride(parsing: quoted).value.location == at(quoted, 11))
    }

    @Test("nodes and keys of a flow value are located at their own columns")
    func flowValue() throws {
        let argument = #"network={kind: mlp, hiddenWidths: [64, x], 'q': "y"}"#
        let value = try ConfigurationOverride(parsing: argument).value
        #expect(value.location == at(argument, 9))
        #expect(value.entries?.map(\.keyLocation) == [at(argument, 10), at(argument, 21), at(argument, 44)])
        #expect(value["kind"]?.location == at(argument, 16))
        #expect(value["hiddenWidths"]?.location == at(argument, 35))
        #expect(value["hiddenWidths"]?.elements?.map(\.location) == [at(argument, 36), at(argument, 40)])
        #expect(value["q"]?.location == at(argument, 49))
    }

    @Test("a value written over several lines is located by line and column")
    func lines() throws {
        let argument = "data.means=[0,\n  x, 2]"
        let value = try ConfigurationOverride(parsing: argument).value
        #expect(
            value.elements?.map(\.location) == [at(argument, 13), at(argument, 3, line: 2), at(argument, 6, line: 2)])
        let below = "seed=\n 7"
        #expect(try ConfigurationOverride(parsing: below).value.location == at(below, 2, line: 2))
    }

    @Test("locations do not take part in equality; overrides made in code have none")
    func equality() throws {
        let parsed = try ConfigurationOverride(parsing: "sampler.churn=0.2")
        let made = ConfigurationOverride(path: "sampler.churn", value: 0.2)
        #expect(parsed == made && parsed.hashValue == made.hashValue)
        #expect(made.keyLocations.isEmpty && made.value.location == nil)
        #expect(try ConfigurationValue(parsing: "[1, 2]").elements?.allSatisfy { $0.location == nil } == true)
    }

    @Test("keys an override creates take its locations; keys in the tree keep theirs")
    func applying() throws {
        let file = ScoreKitCore.SourceLocation(file: "r.yaml", line: 2, column: 1)
        let tree = ConfigurationValue.mapping(
            [.init(key: "sampler", value: .mapping([], at: file), keyLocation: file)], at: file)
        let kind = "sampler.kind=heun"
        let churn = "sampler.churn=x"
        let created = "optimizer.beta1=2"
        let applied = try tree.applying([kind, churn, created].map { try ConfigurationOverride(parsing: $0) })
        let sampler = try #require(applied.entries?.first)
        #expect(sampler.keyLocation == file && sampler.value.location == file)
        #expect(sampler.value.entries?.map(\.keyLocation) == [at(kind, 9), at(churn, 9)])
        #expect(sampler.value["kind"]?.location == at(kind, 14))
        #expect(sampler.value["churn"]?.location == at(churn, 15))
        let optimizer = try #require(applied.entries?.last)
        #expect(optimizer.keyLocation == at(created, 1))
        #expect(optimizer.value.location == at(created, 11))
        #expect(optimizer.value["beta1"]?.location == at(created, 17))
        let another = "sampler.kind=ddim"
        let replaced = try applied.applying([try ConfigurationOverride(parsing: another)])
        #expect(replaced["sampler"]?.entries?.map(\.keyLocation) == [at(kind, 9)])
        #expect(replaced["sampler"]?["kind"]?.location == at(another, 14))
    }
}
