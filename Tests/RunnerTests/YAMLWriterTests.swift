import ScoreKitCore
import ScoreKitRunner
import Testing

@Suite("YAMLWriter")
struct YAMLWriterTests {
    @Test("block style, keys in order, scalar lists in flow style")
    func layout() {
        let tree: ConfigurationValue = [
            "sde": ["kind": "variance-exploding", "sigmaMin": 0.01, "sigmaMax": 50.0],
            "network": ["kind": "mlp", "hiddenWidths": [128, 128], "extra": [:], "none": []],
            "data": ["points": [["x": 1, "y": 2], ["x": 3, "y": 4]], "nested": [[1, 2], [3]]],
            "seed": 7,
        ]
        #expect(
            YAMLWriter.render(tree, header: ["made by a test"]) == """
                # made by a test
                sde:
                  kind: variance-exploding
                  sigmaMin: 0.01
                  sigmaMax: 50.0
                network:
                  kind: mlp
                  hiddenWidths: [128, 128]
                  extra: {}
                  none: []
                data:
                  points:
                    - x: 1
                      y: 2
                    - x: 3
                      y: 4
                  nested:
                    - [1, 2]
                    - [3]
                seed: 7

                """)
    }

    @Test(
        "strings that would read back as something else are quoted",
        arguments: [
            ("heun", "heun"), ("recipes/a b.yaml", "recipes/a b.yaml"), ("7", "\"7\""), ("1e-3", "\"1e-3\""),
            ("true", "\"true\""), ("null", "\"null\""), ("", "\"\""), ("yes", "\"yes\""), ("-x", "\"-x\""),
            ("a: b", "\"a: b\""), ("x # y", "\"x # y\""), ("[1]", "\"[1]\""), ("say \"hi\"", "\"say \\\"hi\\\"\""),
            ("line\nbreak", "\"line\\nbreak\""), ("0x1F", "\"0x1F\""), ("σ", "\"σ\""),
        ])
    func quoting(text: String, written: String) throws {
        let yaml = YAMLWriter.render(["key": .string(text)])
        #expect(yaml == "key: \(written)\n")
        #expect(try parse(yaml)["key"] == .string(text))
    }

    @Test("every kind of value reads back to an equal tree")
    func roundTrip() throws {
        let tree: ConfigurationValue = [
            "numbers": [
                0.1, 1e-8, 20.0, -3.5e300, .number(.infinity), .number(-.infinity), .number(.leastNonzeroMagnitude),
            ],
            "integers": [0, -1, .integer(Int.max), .integer(Int.min)],
            "flags": [true, false, nil],
            "strings": ["heun", "7", "", " padded ", "tab\there", "back\\slash", "ünïcödé", "\u{7}bell"],
            "empty": [:],
            "deep": ["a": ["b": ["c": [["d": 1], [], [:]]]]],
            "quoted key: yes": 1,
        ]
        let yaml = YAMLWriter.render(tree)
        #expect(try parse(yaml) == tree)
    }

    @Test("a scalar or an empty tree is one line")
    func scalars() {
        #expect(YAMLWriter.render(3) == "3\n")
        #expect(YAMLWriter.render([:]) == "{}\n")
        #expect(YAMLWriter.render(.number(.nan)) == ".nan\n")
    }
}
