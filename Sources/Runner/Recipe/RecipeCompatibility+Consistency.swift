import Foundation
import ScoreKitCore
import ScoreKitLosses
import ScoreKitSDEs
import ScoreKitSamplers

// Rules for consistency models: the `consistency` parameterization, its losses and its sampler
// only make sense together, its σ_min must be the process's, and a distillation's teacher must
// be a run of the same data whose noise levels cover the student's.

extension RecipeCompatibility.Rule {
    /// `consistency-distillation`, `consistency-training` and the `consistency` sampler need the
    /// `consistency` parameterization (the boundary condition f(x, σ_min) = x, without which the
    /// losses have the constant function as a solution and the sampler's f is not a consistency
    /// function); with either, that parameterization's `sigmaMin` must be σ/α of the process at its
    /// smallest time.
    public static var consistencyFitsRecipe: Self {
        Self(name: "consistency-fits-recipe") { recipe, _ in
            let boundary = recipe.parameterization as? ConsistencyPreconditioning
            let isConsistencyLoss = recipe.loss is ConsistencyDistillation || recipe.loss is ConsistencyTraining
            let parameterizationName = recipe.componentIDs[.parameterization].map { " '\($0)'" } ?? ""
            if isConsistencyLoss, recipe.parameterization != nil, boundary == nil {
                let lossName = recipe.componentIDs[.loss].map { " '\($0)'" } ?? ""
                return .incompatible(
                    headline:
                        "loss\(lossName) trains a consistency function, and parameterization\(parameterizationName) "
                        + "has no boundary condition f(x, σ_min) = x (the constant function would minimise the loss)",
                    notes: ["use parameterization: { kind: consistency, sigmaData: …, sigmaMin: … }"],
                    location: recipe.written["parameterization"]?["kind"]?.location
                        ?? recipe.written["parameterization"]?.location)
            }
            if let (path, _) = samplers(of: recipe).first(where: { $0.sampler is ConsistencySampler }),
                recipe.parameterization != nil, boundary == nil
            {
                let section = recipe.written.value(atPath: path)
                return .incompatible(
                    headline:
                        "sampler 'consistency' maps x_t to data through a consistency function, and this run's "
                        + "parameterization\(parameterizationName) is not one (its x̂₀ is a one-step denoiser)",
                    notes: [
                        "sample a consistency run (parameterization 'consistency', trained by consistency-distillation "
                            + "or consistency-training), or use an ODE or SDE sampler such as dpm-solver-plus-plus"
                    ],
                    location: section?["kind"]?.location ?? section?.location)
            }
            // The boundary's place matters where it is trained or sampled through.
            let usesBoundary = isConsistencyLoss || samplers(of: recipe).contains { $0.sampler is ConsistencySampler }
            guard let boundary, usesBoundary else { return nil }
            let floor = recipe.sde.marginal(at: recipe.sde.timeRange.lowerBound).noiseLevel
            let sigmaMin = boundary.configuration.sigmaMin
            guard abs(sigmaMin - floor) > 1e-6 * floor else { return nil }
            let sdeName = recipe.componentIDs[.sde].map { " '\($0)'" } ?? ""
            return .incompatible(
                headline:
                    "parameterization.sigmaMin is \(sigmaMin), and sde\(sdeName) starts at the noise level "
                    + "σ/α = \(floor): the boundary f(x, σ_min) = x must sit at the process's smallest time",
                notes: ["set parameterization.sigmaMin: \(floor)"],
                location: recipe.written["parameterization"]?["sigmaMin"]?.location
                    ?? recipe.written["parameterization"]?.location)
        }
    }

    /// `consistency-distillation`'s teacher must be a run (or an exact recipe) of the same data
    /// and standardisation, whose noise levels σ/α cover the student's. A teacher folder that
    /// does not exist yet passes here (`train` refuses it, located): it may still be training.
    public static var consistencyTeacherFits: Self {
        Self(name: "consistency-teacher-fits") { recipe, registry in
            guard let loss = recipe.loss as? any TeacherLoss else { return nil }
            let location = recipe.written["loss"]?["teacher"]?.location ?? recipe.written["loss"]?.location
            let (recipePath, folder) = RunSource.locate(loss.teacherPath)
            guard FileManager.default.fileExists(atPath: recipePath) else { return nil }
            let teacher: ResolvedRecipe
            do {
                teacher = try RunRecipe.resolve(
                    recipePath: recipePath, folder: folder, overrides: [], registry: registry)
            } catch {
                return .incompatible(
                    headline: "loss.teacher '\(loss.teacherPath)' does not resolve", notes: ["\(error)"],
                    location: location)
            }
            return teacherMismatch(student: recipe, teacher: teacher, path: loss.teacherPath, location: location)
        }
    }

    /// Why `teacher` cannot teach `student`, or `nil`.
    static func teacherMismatch(
        student: ResolvedRecipe, teacher: ResolvedRecipe, path: String, location: SourceLocation?
    ) -> RecipeError? {
        if let data = student.dataSpecification, let taught = teacher.dataSpecification {
            guard data.id == taught.id, data.settings.standardization == taught.settings.standardization else {
                return .incompatible(
                    headline:
                        "loss.teacher '\(path)' was trained on data set '\(taught.id)' "
                        + "(standardization \(taught.settings.standardization.rawValue)), this recipe's data is "
                        + "'\(data.id)' (standardization \(data.settings.standardization.rawValue))",
                    notes: ["distil a teacher of the same data, in the same standardisation"],
                    location: location)
            }
        }
        func levels(_ sde: any ForwardSDE) -> ClosedRange<Double> {
            let range = sde.timeRange
            return sde.marginal(at: range.lowerBound).noiseLevel...sde.marginal(at: range.upperBound).noiseLevel
        }
        let (mine, theirs) = (levels(student.sde), levels(teacher.sde))
        let slack = 1e-6
        guard mine.lowerBound >= theirs.lowerBound * (1 - slack), mine.upperBound <= theirs.upperBound * (1 + slack)
        else {
            return .incompatible(
                headline:
                    "loss.teacher '\(path)' knows noise levels σ/α from \(theirs.lowerBound) to \(theirs.upperBound), "
                    + "and this recipe's sde spans \(mine.lowerBound) to \(mine.upperBound): the teacher's "
                    + "probability-flow ODE is not defined beyond its own",
                notes: [
                    "choose the sde's range inside the teacher's, such as sde: { kind: edm, sigmaMin: "
                        + "\(theirs.lowerBound), sigmaMax: \(Swift.min(80, theirs.upperBound)) } (and "
                        + "parameterization.sigmaMin to match)"
                ],
                location: location)
        }
        return nil
    }
}
