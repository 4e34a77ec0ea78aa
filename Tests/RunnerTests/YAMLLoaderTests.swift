import Foundation
import ScoreKitCore
import ScoreKitRunner
import Testing

@Suite("YAMLLoader")
struct YAMLLoaderTests {
    @Test("every value and every key carries its line and column")
    func locations() throws {
        let tree = try parse(
            """
            # a comment
            sde: { kind: fixture-exploding, sigmaMax: 50 }
            network:
              kind: mlp
              hiddenWidths: [64, 64]
            seed: 7
            """)
        let entries = try #require(tree.entries)
        #expect(entries.map(\.keyLocation) == [at(2, 1), at(3, 1), at(6, 1)])
        #expect(tree.location == at(2, 1))
        let sde = try #require(tree["sde"])
        #expect(sde.location == at(2, 6))
        #expect(sde.entries?.map(\.keyLocation) == [at(2, 8), at(2, 33)])
        #expect(sde["kind"]?.location == at(2, 14))
        #expect(sde["sigmaMax"]?.location == at(2, 43))
        let network = try #require(tree["network"])
        #expect(network.location == at(4, 3))
        #expect(network.entries?.last?.keyLocation == at(5, 3))
        #expect(network["hiddenWidths"]?.location == at(5, 17))
        #expect(network["hiddenWidths"]?.elements?.map(\.location) == [at(5, 18), at(5, 22)])
        #expect(tree["seed"]?.location == at(6, 7))
    }

    @Test(
        "plain scalars follow the YAML 1.2 core schema",
        arguments: [
            ("7", ConfigurationValue.Content.integer(7)),
            ("-12", .integer(-12)),
            ("+3", .integer(3)),
            ("0o17", .integer(15)),
            ("0x1F", .integer(31)),
            ("0.1", .number(0.1)),
            ("1e-3", .number(0.001)),
            ("-2.5E+2", .number(-250)),
            (".5", .number(0.5)),
            ("20.", .number(20)),
            (".inf", .number(.infinity)),
            ("-.Inf", .number(-.infinity)),
            ("true", .bool(true)),
            ("False", .bool(false)),
            ("null", .null),
            ("~", .null),
            ("", .null),
            ("yes", .string("yes")),
            ("heun", .string("heun")),
            ("1e", .string("1e")),
            ("1.2.3", .string("1.2.3")),
            ("0x", .string("0x")),
            ("12_000", .string("12_000")),
        ])
    func coreSchema(text: String, expected: ConfigurationValue.Content) throws {
        let tree = try parse("value: \(text)\n")
        #expect(tree["value"]?.content == expected)
    }

    @Test("not-a-number is a number")
    func notANumber() throws {
        let value = try #require(try parse("value: .nan\n")["value"]?.numberValue)
        #expect(value.isNaN)
    }

    @Test("quoted and block scalars stay strings")
    func quotedScalars() throws {
        let tree = try parse(
            """
            a: "7"
            b: 'true'
            c: "null"
            d: |
              1e-3
            e: !!str 0.5
            f: !!float 2
            """)
        #expect(tree["a"] == "7")
        #expect(tree["b"] == "true")
        #expect(tree["c"] == "null")
        #expect(tree["d"] == "1e-3\n")
        #expect(tree["e"] == "0.5")
        #expect(tree["f"]?.content == .number(2))
    }

    @Test("a key written twice is kept twice, each with its own location")
    func duplicateKeysPreserved() throws {
        let tree = try parse(
            """
            loss:
              kind: denoising-score-matching
              sigmaMin: 0.1
              sigmaMin: 0.2
            """)
        let loss = try #require(tree["loss"]?.entries)
        #expect(loss.map(\.key) == ["kind", "sigmaMin", "sigmaMin"])
        #expect(loss.map(\.keyLocation) == [at(2, 3), at(3, 3), at(4, 3)])
        #expect(loss.map(\.value) == ["denoising-score-matching", 0.1, 0.2])
    }

    @Test("a key written three times, quoted and in flow style, is kept")
    func duplicateKeysInFlowStyle() throws {
        let tree = try parse("a: {x: 1, 'x': 2, \"x\": 3}\nb: 1\nb: 2\n")
        #expect(tree.keys == ["a", "b", "b"])
        #expect(tree["a"]?.keys == ["x", "x", "x"])
        #expect(tree["a"]?.entries?.map(\.keyLocation) == [at(1, 5), at(1, 11), at(1, 19)])
        #expect(tree.entries?.map(\.keyLocation) == [at(1, 1), at(2, 1), at(3, 1)])
    }

    @Test("aliases repeat the anchored value")
    func aliases() throws {
        let tree = try parse("base: &adam { kind: adam, beta1: 0.8 }\noptimizer: *adam\n")
        #expect(tree["optimizer"] == ["kind": "adam", "beta1": 0.8])
    }

    @Test("an empty document is null")
    func emptyDocument() throws {
        #expect(try parse("# nothing here\n").isNull)
    }

    @Test("a syntax error names file, line, column and libyaml's problem")
    func syntaxError() {
        #expect {
            _ = try parse("sde:\n  kind: heun\n bad: [1, 2\n")
        } throws: { error in
            guard case .invalidYAML(_, _, let location, _) = error as? RecipeError else { return false }
            return location?.file == recipeFile && location?.line == 3
        }
    }

    @Test("syntax error wording")
    func syntaxErrorWording() {
        let error = #expect(throws: RecipeError.self) { try parse("sde: {kind: heun\nseed: 1\n") }
        #expect(
            error?.description == """
                recipes/test.yaml:2:5: error: invalid YAML: did not find expected ',' or '}'
                  while parsing a flow mapping at 1:6
                  seed: 1
                      ^
                """)
    }

    @Test("an unknown tag is unsupported YAML")
    func unknownTag() {
        let error = #expect(throws: RecipeError.self) { try parse("sde: !custom {kind: x}\n") }
        #expect(
            error?.description == """
                recipes/test.yaml:1:6: error: unsupported YAML: the tag '!custom'
                  recipes use plain mappings, sequences and scalars
                """)
    }

    @Test("a standard tag the value does not fit is invalid")
    func mismatchedTag() {
        let error = #expect(throws: RecipeError.self) { try parse("steps: !!int ten\n") }
        #expect(error?.description == "recipes/test.yaml:1:8: error: invalid YAML: 'ten' is not a valid !!int")
    }

    @Test("two documents are an error")
    func twoDocuments() {
        #expect(throws: RecipeError.self) { try parse("a: 1\n---\nb: 2\n") }
    }

    @Test("a missing file is named in the error")
    func missingFile() {
        let error = #expect(throws: RecipeError.self) { try YAMLLoader.load(contentsOf: "no/such/recipe.yaml") }
        #expect(error == .fileNotFound(path: "no/such/recipe.yaml"))
        #expect(
            error?.description == """
                error: no recipe file at 'no/such/recipe.yaml'
                  check the path; it is read relative to the current folder
                """)
    }

    @Test("a file's locations name the path as given")
    func fileLocations() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/r.yaml"
        try "seed: 3\n".write(toFile: path, atomically: true, encoding: .utf8)
        let tree = try YAMLLoader.load(contentsOf: path)
        #expect(tree["seed"]?.location == ScoreKitCore.SourceLocation(file: path, line: 1, column: 7))
        let error = #expect(throws: RecipeError.self) { try YAMLLoader.load(contentsOf: folder) }
        #expect(error == .fileAccessFailed(path: folder, reason: "it is a folder"))
        #expect(error?.description == "error: cannot read or write '\(folder)': it is a folder")
    }

    @Test("text that is not UTF-8 is named")
    func notUTF8() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/latin1.yaml"
        try Data([0x61, 0x3A, 0x20, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: path))
        #expect(throws: RecipeError.fileAccessFailed(path: path, reason: "it is not UTF-8 text")) {
            try YAMLLoader.load(contentsOf: path)
        }
    }
}
