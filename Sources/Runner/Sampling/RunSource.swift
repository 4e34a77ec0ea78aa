import Foundation

/// What a command's SOURCE argument names: a run folder (with `resolved-recipe.yaml`) or a recipe file.
enum RunSource {
    /// The recipe file, and the run folder when `source` is one.
    static func locate(_ source: String) -> (recipe: String, folder: String?) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: source, isDirectory: &isFolder), isFolder.boolValue {
            let folder = source.count > 1 && source.hasSuffix("/") ? String(source.dropLast()) : source
            return (folder + "/resolved-recipe.yaml", folder)
        }
        return (source, nil)
    }
}
