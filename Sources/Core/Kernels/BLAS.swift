import CScoreKitBLAS
import Foundation

/// The CBLAS calls ScoreKit makes, in one place.
enum BLAS {
    @inline(__always)
    static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = kernels
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// OpenBLAS's kernel family, chosen once before the first product (see `chooseKernels()`).
    static let kernels: BLASKernels = chooseKernels()

    /// Keeps OpenBLAS's own choice of kernels, except where it fell back to its generic
    /// "Prescott" (SSE3) kernels on a CPU it does not know and the CPU has AVX-512 or AVX2:
    /// OpenBLAS before 0.3.22 does that on CPUs newer than it (Debian 12 ships 0.3.21), and its
    /// sgemm then runs 7–15× slower (measured: 10–22 against 146–167 GFLOP/s on one core of a
    /// 2023 Xeon). ScoreKit then sets `OPENBLAS_CORETYPE` to SkylakeX or Haswell, as newer
    /// OpenBLAS does by itself, and makes OpenBLAS choose again. An `OPENBLAS_CORETYPE` that is
    /// already set is the user's choice and is left alone.
    private static func chooseKernels() -> BLASKernels {
        let chosen = currentCoreName()
        guard chosen.lowercased() == "prescott", ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
            let better = scorekit_cpu_openblas_core()
        else {
            return BLASKernels(coreName: chosen, replacedCoreName: nil)
        }
        setenv("OPENBLAS_CORETYPE", better, 1)
        guard scorekit_openblas_choose_core_again() == 0 else {
            return BLASKernels(coreName: chosen, replacedCoreName: nil)
        }
        return BLASKernels(coreName: currentCoreName(), replacedCoreName: chosen)
    }

    private static func currentCoreName() -> String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name).trimmingCharacters(in: .whitespaces)
    }
}

/// Which kernels OpenBLAS runs: what benchmarks and diagnostics report.
public struct BLASKernels: Sendable, Equatable {
    /// OpenBLAS's name of the kernel family in use, such as "SkylakeX" or "Haswell".
    public let coreName: String
    /// The generic family OpenBLAS had chosen and ScoreKit replaced, or `nil` when OpenBLAS's
    /// own choice stands.
    public let replacedCoreName: String?
}

extension Compute {
    /// The OpenBLAS kernels in use (chosen before the first product; see `BLAS.chooseKernels`).
    public static var blasKernels: BLASKernels { BLAS.kernels }
}
