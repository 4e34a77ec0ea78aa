import ScoreKitCore
import ScoreKitSamplers

/// `scorekit-bench WORKLOAD [--threads N] [--steps N] [--reps N] [--weights FILE] [--out FILE] [--tag TEXT]`.
struct Options {
    var workload = ""
    var threads = 2
    var steps = 200
    var reps = 5
    var warmup = 20
    var count = 10_000
    var weights: String?
    var out: String?
    var tag = ""
    /// Where w2–w4 write their initial noise and their samples (`.npy`), when given: the same run
    /// through `scorekit sample RUN --init F --seed 1` (scripts/bench/peer-run-folder.py).
    var initialNoiseOutput: String?
    var samplesOutput: String?
    /// unet-sample: a trained run folder whose weights to sample (`--run`); without one, the
    /// network of `recipe` at training step 0.
    var run: String?
    /// unet-sample: the recipe whose network to build (`--recipe`).
    var recipe = "recipes/digits-unet.yaml"
    /// Rows of a training shard; `nil`: the workload's own (w1 256, unet 32, unet-cifar 16).
    var rowsPerShard: Int?
    /// Rows of a sampling shard in w2–w5 when given (`--sample-rows`); 0 chooses.
    var sampleRows = 0
    var stepControl = StepControlScope.perSample
    /// kP and kI of RK45's step-size controller in w4/w5 (`--pcoeff`, `--icoeff`).
    var proportionalCoefficient = DormandPrinceSampler.Configuration().proportionalCoefficient
    var integralCoefficient = DormandPrinceSampler.Configuration().integralCoefficient
    /// RK45's first step in w4/w5 (`--first-step`); 0 selects it (the default).
    var initialStepSize = DormandPrinceSampler.Configuration().initialStepSize
    /// RK45's safety factor in w4/w5 (`--safety`).
    var safety = DormandPrinceSampler.Configuration().safety
    /// Whether RK45's controller predicts the error's trend in w4/w5 (`--predictive`).
    var predictive = DormandPrinceSampler.Configuration().predictive
    /// The variable RK45 steps in for w4/w5 (`--time-variable`).
    var timeVariable = DormandPrinceSampler.Configuration().timeVariable

    static let usage = """
        usage: scorekit-bench WORKLOAD [options]
          w1   one NCSN training step of the seed's MLP, batch 512 (ms/step, peak RSS)
          w2   annealed Langevin, 12 levels × 100 steps (--n samples, default 10,000; --weights weights_ncsn)
          w3   Euler–Maruyama on the reverse VP-SDE, 1000 steps (--weights weights_vp)
          w4   probability-flow ODE with RK45 at 1e-5: seconds and NFE (--weights weights_vp)
          w5   likelihood through the PF-ODE, Hutchinson, RK45 at 1e-5 (--weights weights_vp)
          w6   sgemm GFLOP/s at the network's shapes and at 2048³
          fwd  one untracked forward pass of the seed's MLP over --n rows (default 512), one thread
               (µs, GFLOP/s): the evaluation W3–W5 repeat; --steps passes per repeat
          unet forward + backward of the digits recipe's U-Net, batch --n (default 128; ms/step;
               scripts/bench/unet_torch.py is its PyTorch twin); --rows-per-shard (default 32, as recipes/digits-unet.yaml)
          unet-cifar  the same at CIFAR-like shapes: [3, 32, 32], base 64, multipliers [1, 2, 2, 2], two
               blocks a level, attention at 16 × 16, batch --n (default 32) in shards of 16 rows
               (unet_torch.py --shape cifar)
          unet-sample  --n guided digits (default 1,000) from recipes/digits-unet.yaml's U-Net: DPM-Solver++(2M),
               20 steps on a log-SNR grid, classifier-free guidance w = 3, sample i of class i mod 10, through
               `scorekit sample`'s path (ms per run; scripts/bench/unet_sample_torch.py is its PyTorch twin);
               weights at training step 0, or --run DIR, or --weights F (the U-Net's parameter names)
        options:
          --threads N    threads for BLAS and ScoreKit's kernels (default 2)
          --steps N      steps per repeat for w1 (default 200; 10000 checks that memory stays flat)
          --reps N       timed repeats (default 5; w2–w5: 1 is usual)
          --n N          samples or points for w2–w5 (default 10,000), the batch of unet (default 128),
                         the samples of unet-sample (default 1,000)
          --warmup N     untimed steps first (default 20; unet-sample: untimed runs, default 0)
          --weights F    initial weights (safetensors: emb1 emb2 l1 … l4 .weight/.bias)
          --out F        append the JSON records to F (the peers' results file, to compare in one report)
          --tag T        a tag stored with the records
          --write-init F     w2–w4, unet-sample: write the initial noise to F (.npy), for `scorekit sample --init F`
          --write-samples F  w2–w4, unet-sample: write the samples of the last repeat to F (.npy)
          --run DIR          unet-sample: sample this trained run folder's weights
          --recipe F         unet-sample: the recipe (default recipes/digits-unet.yaml)
          --rows-per-shard N  rows of a batch shard in w1 (default 256, the training default), unet (32) and unet-cifar (16)
          --sample-rows N     rows of a sampling shard in w2–w5 (default: 512, fewer for small n) and
                              unet-sample (default 512, as `scorekit sample`)
          --flush-denormals 0|1  flush denormals to zero in parallel regions (default 1)
          --step-control S    w4/w5: perSample (default; batch-invariant) or batch (one step size
                              per shard, as diffrax and score_sde)
          --pcoeff X, --icoeff X  w4/w5: kP and kI of RK45's step-size controller (default 0, 1)
          --first-step X      w4/w5: RK45's first step (default 0: selected from the field)
          --safety X          w4/w5: RK45's safety factor (default 0.9)
          --time-variable V   w4/w5: time (default) or logSignalToNoiseRatio, what RK45 steps in
          --predictive 0|1    w4/w5: Gustafsson's predictive step limit (default 1; 0 is scipy's
                              and diffrax's controller)
        """

    static func parse(_ arguments: [String]) -> Options? {
        var options = Options()
        var rest = arguments[...]
        guard let workload = rest.popFirst(), !workload.hasPrefix("-") else { return nil }
        options.workload = workload
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { return nil }
            switch flag {
            case "--threads": guard let v = Int(value), v > 0 else { return nil }; options.threads = v
            case "--steps": guard let v = Int(value), v > 0 else { return nil }; options.steps = v
            case "--reps": guard let v = Int(value), v > 0 else { return nil }; options.reps = v
            case "--warmup": guard let v = Int(value), v >= 0 else { return nil }; options.warmup = v
            case "--n": guard let v = Int(value), v > 0 else { return nil }; options.count = v
            case "--weights": options.weights = value
            case "--out": options.out = value
            case "--tag": options.tag = value
            case "--write-init": options.initialNoiseOutput = value
            case "--write-samples": options.samplesOutput = value
            case "--run": options.run = value
            case "--recipe": options.recipe = value
            case "--rows-per-shard": guard let v = Int(value), v > 0 else { return nil }; options.rowsPerShard = v
            case "--sample-rows": guard let v = Int(value), v > 0 else { return nil }; options.sampleRows = v
            case "--flush-denormals":
                guard let v = Int(value), v == 0 || v == 1 else { return nil }
                Compute.flushesDenormals = v == 1
            case "--step-control":
                guard let v = StepControlScope(rawValue: value) else { return nil }; options.stepControl = v
            case "--pcoeff":
                guard let v = Double(value), v >= 0 else { return nil }; options.proportionalCoefficient = v
            case "--icoeff": guard let v = Double(value), v > 0 else { return nil }; options.integralCoefficient = v
            case "--first-step": guard let v = Double(value), v >= 0 else { return nil }; options.initialStepSize = v
            case "--safety": guard let v = Double(value), v > 0, v <= 1 else { return nil }; options.safety = v
            case "--time-variable":
                guard let v = AdaptiveTimeVariable(rawValue: value) else { return nil }; options.timeVariable = v
            case "--predictive":
                guard let v = Int(value), v == 0 || v == 1 else { return nil }; options.predictive = v == 1
            default: return nil
            }
        }
        return options
    }
}
