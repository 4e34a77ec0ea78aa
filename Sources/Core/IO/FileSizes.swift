/// Overflow-safe sizes for file headers: a shape read from a file is untrusted, so its product
/// is computed with `multipliedReportingOverflow` and compared with the bytes the file has
/// before anything is allocated.
package enum FileSizes {
    /// The number of elements of `shape` and their bytes at `elementSize` bytes each, or `nil`
    /// when a size is negative or the product does not fit in `Int`.
    package static func byteCount(shape: [Int], elementSize: Int) -> (elements: Int, bytes: Int)? {
        var elements = 1
        for size in shape {
            guard size >= 0 else { return nil }
            let (product, overflow) = elements.multipliedReportingOverflow(by: size)
            guard !overflow else { return nil }
            elements = product
        }
        let (bytes, overflow) = elements.multipliedReportingOverflow(by: elementSize)
        return overflow ? nil : (elements, bytes)
    }

    /// `shape` as messages write it: `4611686018427387904 × 4`.
    package static func describe(_ shape: [Int]) -> String {
        shape.isEmpty ? "a scalar" : shape.map(String.init).joined(separator: " × ")
    }
}
