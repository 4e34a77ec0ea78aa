/// The stable, kebab-case name of a registered component: what a recipe's `kind:` says.
///
/// Lowercase ASCII letters and digits in words joined by single hyphens, starting with a
/// letter: `heun`, `euler-maruyama`, `variance-preserving`, `vp2`. Ids are part of every
/// recipe ever written, so never rename one.
/// ```swift
/// public static let id: ComponentID = "euler-maruyama"
/// ```
public struct ComponentID:
    RawRepresentable, Hashable, Comparable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible
{
    /// The id's text.
    public let rawValue: String

    /// An id from text, such as a recipe's `kind:`, or `nil` unless it is kebab-case.
    ///
    /// (`ComponentID("heun")` with a literal argument is the literal initializer, which stops
    /// the program on invalid text; use this one for text read at run time.)
    public init?(rawValue text: String) {
        guard Self.isValid(text) else { return nil }
        rawValue = text
    }

    /// An id from a literal; a literal that is not kebab-case stops the program.
    public init(stringLiteral text: String) {
        precondition(
            Self.isValid(text),
            "Component id '\(text)' is not kebab-case: lowercase letters and digits, words joined by single hyphens")
        rawValue = text
    }

    /// Whether `text` is kebab-case: `[a-z][a-z0-9]*(-[a-z0-9]+)*`.
    public static func isValid(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        let words = text.split(separator: "-", omittingEmptySubsequences: false)
        return words.allSatisfy { word in
            !word.isEmpty && word.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        }
    }

    /// Orders ids alphabetically, as listings show them.
    public static func < (lhs: ComponentID, rhs: ComponentID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The id's text.
    public var description: String { rawValue }
}
