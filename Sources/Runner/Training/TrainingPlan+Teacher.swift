import Foundation
import ScoreKitCore
import ScoreKitLosses

extension TrainingPlan {
    /// The plan with its loss's teacher attached, when the loss learns from one (`TeacherLoss`,
    /// `consistency-distillation`): the run at `loss.teacher` loaded with its averaged weights,
    /// after checking that it was trained on samples of the same shape and standardisation.
    /// - Throws: `TrainingError.recipe(.incompatible)`, located at `loss.teacher`, when the teacher
    ///   cannot be loaded or does not fit.
    func attachingTeacher(recipe: ResolvedRecipe, registry: ComponentRegistry) throws(TrainingError) -> TrainingPlan {
        guard let teacherLoss = loss as? any TeacherLoss, teacherLoss.teacher == nil else { return self }
        let path = teacherLoss.teacherPath
        let location = recipe.written["loss"]?["teacher"]?.location ?? recipe.written["loss"]?.location
        guard FileManager.default.fileExists(atPath: path) else {
            throw .recipe(
                .incompatible(
                    headline: "loss.teacher '\(path)' does not exist",
                    notes: [
                        "train the teacher first (scorekit train RECIPE --output \(path)), or name an existing "
                            + "run folder or a recipe with an exact network"
                    ],
                    location: location))
        }
        let run: RunModel
        do throws(RunModelError) {
            run = try RunModel.load(RunModel.Source(path: path), registry: registry, data: .described)
        } catch {
            throw .recipe(
                .incompatible(
                    headline: "loss.teacher '\(path)' cannot be loaded", notes: ["\(error)"], location: location))
        }
        if let problem = RecipeCompatibility.Rule.teacherMismatch(
            student: recipe, teacher: run.recipe, path: path, location: location)
        {
            throw .recipe(problem)
        }
        let description = run.dataDescription
        guard description.sampleShape == data.sampleShape, description.standardization == data.standardization else {
            throw .recipe(
                .incompatible(
                    headline:
                        "loss.teacher '\(path)' models samples of shape \(description.sampleShape)"
                        + (description.standardization == nil ? "" : " (standardised)")
                        + ", this recipe's data has shape \(data.sampleShape)"
                        + (data.standardization == nil ? "" : " (standardised)")
                        + (description.standardization != data.standardization ? " in another standardisation" : ""),
                    notes: ["distil a teacher of the same data, in the same standardisation"],
                    location: location))
        }
        var plan = self
        plan.loss = teacherLoss.withTeacher(run.reverseProcess())
        return plan
    }
}
