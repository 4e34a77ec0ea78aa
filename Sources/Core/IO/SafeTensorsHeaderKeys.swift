/// Finds keys written twice in a safetensors JSON header, which `JSONSerialization` would
/// silently collapse into one (keeping either).
///
/// Scans the bytes once, tracking strings (with their escapes) and objects: a string followed
/// by `:` is a key of the innermost object. Keys are compared as written, escapes included.
enum SafeTensorsHeaderKeys {
    /// The first key written twice in one object, and the tensor whose entry holds it (`nil`
    /// for a top-level key, which is the tensor's own name).
    static func firstDuplicate(in bytes: ArraySlice<UInt8>) -> (key: String, tensor: String?)? {
        var objects: [Set<[UInt8]>] = []
        var containers: [UInt8] = []
        var topLevelKey: [UInt8]? = nil
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"):
                objects.append([])
                containers.append(byte)
            case UInt8(ascii: "["):
                containers.append(byte)
            case UInt8(ascii: "}"):
                if containers.last == UInt8(ascii: "{") { objects.removeLast() }
                if !containers.isEmpty { containers.removeLast() }
            case UInt8(ascii: "]"):
                if !containers.isEmpty { containers.removeLast() }
            case UInt8(ascii: "\""):
                let start = index + 1
                var end = start
                while end < bytes.endIndex, bytes[end] != UInt8(ascii: "\"") {
                    end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard end < bytes.endIndex else { return nil }
                let text = Array(bytes[start..<end])
                index = end
                var next = end + 1
                while next < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[next]) { next += 1 }
                if next < bytes.endIndex, bytes[next] == UInt8(ascii: ":"), containers.last == UInt8(ascii: "{") {
                    if objects.count == 1 { topLevelKey = text }
                    guard objects[objects.count - 1].insert(text).inserted else {
                        let tensor = objects.count == 1 ? nil : topLevelKey.map { String(decoding: $0, as: UTF8.self) }
                        return (String(decoding: text, as: UTF8.self), tensor)
                    }
                }
            default:
                break
            }
            index += 1
        }
        return nil
    }
}
