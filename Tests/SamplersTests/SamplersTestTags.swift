import Testing

// The tags of the SamplersTests target, shared by every suite in it (define no other `slow`).
extension Tag {
    /// Checks that take seconds in release builds; they still run by default.
    @Tag static var slow: Self
}
