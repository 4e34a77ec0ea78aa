import CScoreKitBLAS
import Foundation
import Testing

@testable import ScoreKitCore

@Suite("OpenBLAS kernel choice")
struct BLASKernelsTests {
    @Test("a CPU with AVX2 or AVX-512 never runs OpenBLAS's generic Prescott kernels")
    func noGenericFallback() {
        let kernels = Compute.blasKernels
        #expect(!kernels.coreName.isEmpty)
        guard let supported = scorekit_cpu_openblas_core().map({ String(cString: $0) }) else { return }
        // An OPENBLAS_CORETYPE given by the user is theirs to choose.
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil || kernels.replacedCoreName != nil
        else { return }
        #expect(
            kernels.coreName.lowercased() != "prescott",
            "OpenBLAS runs its SSE3 kernels on a CPU with \(supported)")
        if let replaced = kernels.replacedCoreName {
            #expect(replaced.lowercased() == "prescott")
            #expect(kernels.coreName.lowercased() == supported.lowercased())
        }
    }

    @Test("products are right after the choice: a 64×48×80 sgemm against a Double reference")
    func productAfterChoice() {
        let a = Tensor((0..<(64 * 80)).map { Float(($0 * 37) % 19) / 19 - 0.5 }, shape: [64, 80])
        let b = Tensor((0..<(80 * 48)).map { Float(($0 * 23) % 17) / 17 - 0.5 }, shape: [80, 48])
        let c = Tensor.matmul(a, b)
        var worst = 0.0
        for i in 0..<64 {
            for j in 0..<48 {
                var sum = 0.0
                for k in 0..<80 { sum += Double(a.scalars[i * 80 + k]) * Double(b.scalars[k * 48 + j]) }
                worst = max(worst, abs(sum - Double(c.scalars[i * 48 + j])))
            }
        }
        #expect(worst < 1e-4)
    }
}
