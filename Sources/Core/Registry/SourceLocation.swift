/// A position in a recipe file, 1-based, as Yams' `Mark` reports it.
///
/// Every `ConfigurationValue` read from a file carries one, so an error can point at the exact
/// key or value the user wrote: `recipes/vp-epsilon-heun.yaml:7:25`.
/// A `--set` override is located the same way, in its own text (`ConfigurationOverride`);
/// values built in code or taken from defaults have none.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The file name as the user gave it, such as `recipes/vp-epsilon-heun.yaml`; for a `--set`
    /// override, the override (`--set 'sampler.churn=abc'`, `ConfigurationOverride.sourceName(of:)`).
    public var file: String
    /// The line, counting from 1.
    public var line: Int
    /// The column, counting from 1.
    public var column: Int

    /// Creates a location; `line` and `column` count from 1.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the prefix compilers and editors recognise.
    public var description: String { "\(file):\(line):\(column)" }
}
