"""PyTorch eager twin of scorekit-bench's `unet-sample` workload: guided digits from ScoreKit's U-Net
(the network of unet_torch.py, recipes/digits-unet.yaml's shapes) with a hand-written
DPM-Solver++(2M) loop, as `scorekit sample` runs it with

    --set 'sampler={kind: dpm-solver-plus-plus}' \
    --set 'timeGrid={kind: log-snr, steps: 20, endTime: 1e-3, finalStep: toZero}' --set guidance.scale=3

usage: python3 scripts/bench/unet_sample_torch.py [--n 1000] [--reps 1] [--warmup 0] [--threads 2]
           [--rows-per-shard 512] [--weights F] [--export-weights F] [--init F] [--write-samples F]
           [--out FILE] [--tag TEXT]

What it computes, transcribing ScoreKit (Sources/SDEs/TimeGrids, Sources/Samplers/DPMSolver,
Sources/Samplers/Guidance), with every coefficient in float64 and rounded to float32 where
ScoreKit rounds it:

- VP, beta from 0.1 to 20: B(t) = 0.1 t + 9.95 t^2, alpha = exp(-B/2), sigma = sqrt(-expm1(-B)),
  lambda = 2 (log alpha - log sigma); t(lambda) inverts B = log(1 + exp(-lambda)) in closed form.
- The grid (`log-snr`, 20 steps, endTime 1e-3, finalStep toZero): 20 times from t = 1 to 1e-3 even
  in lambda (19 steps), then t = 0: 21 times, 20 steps.
- DPM-Solver++(2M) in the data prediction D = x0_hat (Lu et al. 2023) with h in lambda/2. ScoreKit's
  default `start: singleStep`: the first step, which has no history, is a DPM-Solver++(2S) step
  (midpoint at lambda/2 + h/2, two evaluations), so it is second order from the start (not the
  first-order start of the reference code); steps 2..19 are 2M; the last step, to t = 0, returns D.
  21 evaluations of the guided model a sample.
- x0_hat = x / alpha - (sigma / alpha) eps_hat (epsilon prediction); classifier-free guidance as
  ScoreKit's `ClassifierFreeGuidance`: one evaluation is the network on the 2N batch [x; x] with
  labels [c; null] (null = row 10 of the label table), D = D_c + (w - 1)(D_c - D_u), w = 3, which is
  the same affine combination as eps = eps_u + w (eps_c - eps_u).
- Sample i asks for label i % 10. Shards as `scorekit sample` cuts them (about 512 rows on whole
  32-sample panels: 1,000 samples are 512 + 488); ScoreKit runs its shards at once, one thread
  each, this script one after the other on --threads threads. Everything under torch.inference_mode.

Weights: unet_torch.py's initialisation from torch.manual_seed(0) (zero output layers: the output
and with it eps_hat is identically 0; the cost is the same), or --weights F, a safetensors file with
ScoreKit's parameter names (as `scorekit-bench unet-sample --weights F` reads). --export-weights F
writes PyTorch's default initialisation of every layer, the zero-initialised ones too (so the
output is not 0), to F and samples with it. With --init F (the prior noise, .npy [n, 64], such as
`scorekit-bench unet-sample --write-init F` writes) and --write-samples F the samples can be
compared with ScoreKit's. Prints one JSON line as unet_torch.py does; "values" are ms per run of
--n samples, "cpu_s" the process's CPU seconds in each.
"""
import argparse
import json
import math
import os
import platform
import statistics
import struct
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet_torch import UNet, jiffies  # noqa: E402

BETA_MIN, BETA_MAX = 0.1, 20.0
STEPS, END_TIME, SCALE, CLASSES = 20, 1e-3, 3.0, 10


# The VP process (VariancePreservingSDE, LinearNoiseRate), in float64.
def integral(t):
    return BETA_MIN * t + 0.5 * (BETA_MAX - BETA_MIN) * t * t


def marginal(t):
    b = integral(t)
    return math.exp(-0.5 * b), math.sqrt(-math.expm1(-b))


def log_snr(t):
    alpha, sigma = marginal(t)
    return 2 * (math.log(alpha) - math.log(sigma))


def time_for_log_snr(value):
    x = -value
    b = x + math.log1p(math.exp(-x)) if x > 30 else math.log1p(math.exp(x))
    if b <= 0:
        return 0.0
    return 2 * b / (BETA_MIN + math.sqrt(BETA_MIN * BETA_MIN + 2 * (BETA_MAX - BETA_MIN) * b))


def grid():
    """LogSNRTimeGrid with finalStep toZero: `STEPS` points from 1 to END_TIME even in lambda, then 0."""
    start, end = 1.0, max(END_TIME, 1e-5)
    count = STEPS
    high, low = log_snr(start), log_snr(end)
    times = [start] + [time_for_log_snr(high + (i / (count - 1)) * (low - high)) for i in range(1, count - 1)]
    return times + [end, 0.0]


def shard_ranges(count, rows, alignment=32):
    """Compute.shardRanges(count:rows:alignedTo:), as ShardedSampling cuts a run."""
    blocks = (count + alignment - 1) // alignment
    per = max(1, (rows + alignment // 2) // alignment)
    shards = max(1, (blocks + per // 2) // per)
    size, extra = blocks // shards, blocks % shards
    ranges, start = [], 0
    for k in range(shards):
        end = start + size + (1 if k < extra else 0)
        ranges.append((start * alignment, min(count, end * alignment)))
        start = end
    return ranges


def f32(value):
    return float(np.float32(value))


def denoiser(model, labels):
    """The guided x0_hat of ClassifierFreeGuidance over ModelReverseProcess with epsilon prediction."""
    n = labels.shape[0]
    both = torch.cat([labels, torch.full_like(labels, CLASSES)])

    def denoised(x, t):
        alpha, sigma = marginal(t)
        doubled = torch.cat([x, x])
        out = model(doubled, torch.full((2 * n,), f32(t)), both)
        d = doubled * f32(1 / alpha) + out * f32(-sigma / alpha)
        c, u = d[:n], d[n:]
        return c + (c - u) * f32(SCALE - 1)

    return denoised


def dpm_solver_pp(denoised, x, times):
    """DPMSolverPlusPlusSampler (order 2, start singleStep) over `times`."""
    previous = None  # (D, lambda/2) of the last step
    for s, t in zip(times[:-1], times[1:]):
        d = denoised(x, s)
        if t == 0:
            return d
        alpha_s, alpha_t = marginal(s)[0], marginal(t)[0]
        lam = 0.5 * log_snr(s)
        h = 0.5 * log_snr(t) - lam
        phi1 = math.expm1(-h)
        residual = x * f32(1 / alpha_s) - d
        result = x * f32(alpha_t / alpha_s) + residual * f32(alpha_t * phi1)
        if previous is None:
            r = 0.5
            middle = time_for_log_snr(2 * (lam + r * h))
            alpha_m, _ = marginal(middle)
            u = x * f32(alpha_m / alpha_s) + residual * f32(alpha_m * math.expm1(-r * h))
            difference = denoised(u, middle) - d
            result = result - difference * f32(alpha_t * phi1 / (2 * r))
        else:
            r = (lam - previous[1]) / h
            d1 = (d - previous[0]) * f32(1 / r)
            result = result - d1 * f32(0.5 * alpha_t * phi1)
        previous = (d, lam)
        x = result
    return x


# ScoreKit's parameter names (UNet.swift) for unet_torch.UNet's parameters, in order.
def scorekit_names(model, mults=(1, 2, 2), blocks=1, attn=(2,), side=8):
    prefixes, s = [], side
    for level, _ in enumerate(mults):
        for b in range(blocks):
            prefixes.append(f"down.{level}.{b}")
            if s in attn:
                prefixes.append(f"down.{level}.{b}.attention")
        if level < len(mults) - 1:
            prefixes.append(f"down.{level}.downsample")
            s //= 2
    prefixes += ["middle.0", "middle.attention", "middle.1"]
    for level, _ in reversed(list(enumerate(mults))):
        for b in range(blocks + 1):
            prefixes.append(f"up.{level}.{b}")
            if s in attn:
                prefixes.append(f"up.{level}.{b}.attention")
        if level > 0:
            prefixes.append(f"up.{level}.upsample")
            s *= 2
    assert len(prefixes) == len(model.stages)
    rename = {"emb": "embedding", "out": "output"}
    names = {}
    for top, module in (("embedding.dense1", model.dense1), ("embedding.dense2", model.dense2),
                        ("labelEmbedding", model.labels), ("input", model.input)):
        for name, p in module.named_parameters():
            names[p] = f"{top}.{name}"
    for prefix, module in zip(prefixes, model.stages):
        for name, p in module.named_parameters():
            head, _, rest = name.rpartition(".")
            names[p] = f"{prefix}.{rename.get(head, head)}.{rest}" if head else f"{prefix}.{rest}"
    for top, module in (("norm", model.norm), ("output", model.output)):
        for name, p in module.named_parameters():
            names[p] = f"{top}.{name}"
    return [(names[p], p) for p in model.parameters()]


def read_safetensors(path):
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", f"{path}: {name} is {entry['dtype']}, expected F32"
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(entry["shape"])
    return tensors


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, array in tensors.items():
        blob = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--reps", type=int, default=1)
    p.add_argument("--warmup", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rows-per-shard", type=int, default=512)
    p.add_argument("--weights")
    p.add_argument("--export-weights")
    p.add_argument("--init")
    p.add_argument("--write-samples")
    p.add_argument("--out")
    p.add_argument("--tag", default="")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = UNet().eval()
    # ScoreKit's frequencies: scale * exp(-k log(10000) / (half - 1)) in float64, then rounded.
    half = model.freqs.shape[1]
    model.freqs.copy_(torch.tensor([[1000.0 * math.exp(-k * math.log(10000.0) / (half - 1)) for k in range(half)]],
                                   dtype=torch.float64).float())
    named = scorekit_names(model)
    weights = "step 0 (torch seed 0)"
    if args.export_weights:
        for module in model.modules():
            if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
                module.reset_parameters()
        write_safetensors(args.export_weights, {name: q.detach().numpy() for name, q in named})
        weights = "exported"
    if args.weights:
        file = read_safetensors(args.weights)
        with torch.no_grad():
            for name, q in named:
                assert name in file, f"{args.weights} has no '{name}'"
                assert tuple(file[name].shape) == tuple(q.shape), f"{name}: {file[name].shape} vs {tuple(q.shape)}"
                q.copy_(torch.from_numpy(file[name].copy()))
        weights = "file"
    n = args.n
    if args.init:
        initial = torch.from_numpy(np.load(args.init).astype(np.float32)).reshape(n, 1, 8, 8)
    else:
        initial = torch.randn(n, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    labels = torch.arange(n) % CLASSES
    times = grid()
    shards = shard_ranges(n, args.rows_per_shard)

    def run():
        with torch.inference_mode():
            parts = [dpm_solver_pp(denoiser(model, labels[a:b]), initial[a:b], times) for a, b in shards]
            return torch.cat(parts)

    for _ in range(args.warmup):
        run()
    values, cpus, busy, samples = [], [], [], None
    for _ in range(args.reps):
        w0, c0, j0 = time.perf_counter(), time.process_time(), jiffies()
        samples = run()
        wall, cpu, j1 = time.perf_counter() - w0, time.process_time() - c0, jiffies()
        used = ((j1[0] - j0[0]) - (j1[1] - j0[1])) / os.sysconf("SC_CLK_TCK")
        busy.append(max(0.0, used - cpu) / max(wall, 1e-9))
        values.append(wall * 1e3)
        cpus.append(cpu)
    if args.write_samples:
        np.save(args.write_samples, samples.reshape(n, 64).numpy())
    m = statistics.median(values)
    record = {
        "workload": "unet-sample", "system": "torch-eager", "n": n, "threads": args.threads, "metric": "ms",
        "values": values, "cpu_s": cpus, "other_busy": busy, "ms_per_1000_samples": m * 1000 / n, "samples_per_s": n / (m / 1000),
        "nfe": STEPS + 1, "steps": STEPS, "guidance_scale": SCALE, "rows_per_shard": args.rows_per_shard,
        "shards": len(shards), "parameters": sum(q.numel() for q in model.parameters()), "weights": weights,
        "check_sample_rms": float(samples.pow(2).mean().sqrt()), "torch": torch.__version__,
        "python": platform.python_version(), "tag": args.tag,
        "loadavg": open("/proc/loadavg").read().split()[:3],
    }
    line = json.dumps(record, sort_keys=True)
    print(line, flush=True)
    if args.out:
        with open(args.out, "a") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
