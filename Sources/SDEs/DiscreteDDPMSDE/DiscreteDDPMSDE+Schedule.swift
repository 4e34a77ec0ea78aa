import Foundation

extension DiscreteDDPMSDE {
    /// β₁ … β_N of `configuration`, before any rescaling.
    static func betas(_ c: Configuration) -> [Double] {
        let n = c.trainStepCount
        func evenly(_ a: Double, _ b: Double) -> [Double] {  // numpy.linspace(a, b, n)
            (0..<n).map { $0 == n - 1 ? b : a + Double($0) * (b - a) / Double(n - 1) }
        }
        switch c.betaSchedule {
        case .linear:
            return evenly(c.betaStart, c.betaEnd)
        case .scaledLinear:
            return evenly(c.betaStart.squareRoot(), c.betaEnd.squareRoot()).map { $0 * $0 }
        case .cosine:
            // diffusers' betas_for_alpha_bar: the ratio of cos² at consecutive times, capped.
            func alphaBar(_ t: Double) -> Double {
                let c = Foundation.cos((t + 0.008) / 1.008 * Double.pi / 2)
                return c * c
            }
            return (0..<n).map { i in
                Swift.min(1 - alphaBar(Double(i + 1) / Double(n)) / alphaBar(Double(i) / Double(n)), 0.999)
            }
        }
    }

    /// ᾱ_n and 1 − ᾱ_n for n = 0 … N (ᾱ₀ = 1), each computed without cancellation.
    static func cumulativeSchedule(_ c: Configuration) -> (alphaBar: [Double], oneMinusAlphaBar: [Double]) {
        var logAlphaBar = 0.0
        var alphaBar = [1.0]
        var oneMinus = [0.0]
        for beta in betas(c) {
            logAlphaBar += Foundation.log1p(-beta)
            alphaBar.append(Foundation.exp(logAlphaBar))
            oneMinus.append(-Foundation.expm1(logAlphaBar))
        }
        guard c.rescale == .zeroTerminalSNR else { return (alphaBar, oneMinus) }
        // Lin et al. (2024), Algorithm 1: √ᾱ ← (√ᾱ − √ᾱ_N)·√ᾱ₁/(√ᾱ₁ − √ᾱ_N), which keeps ᾱ₁ and makes ᾱ_N = 0.
        let first = alphaBar[1].squareRoot()
        let last = alphaBar[alphaBar.count - 1].squareRoot()
        for i in 2..<alphaBar.count {
            let root = (alphaBar[i].squareRoot() - last) * first / (first - last)
            alphaBar[i] = root * root
            oneMinus[i] = 1 - root * root
        }
        alphaBar[alphaBar.count - 1] = 0
        oneMinus[oneMinus.count - 1] = 1
        return (alphaBar, oneMinus)
    }
}
