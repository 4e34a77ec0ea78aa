"""PyTorch eager twin of scorekit-bench's `unet` workload: one forward + backward of ScoreKit's
U-Net (Sources/Networks/Models/UNet.swift) at the shapes of recipes/digits-unet.yaml.

usage: python3 scripts/bench/unet_torch.py [--shape digits|cifar] [--n 128] [--reps 5] [--steps 30]
           [--warmup 5] [--threads 2] [--compile] [--out FILE] [--tag TEXT]

Network: 1 x 8 x 8 images, base 32 channels, multipliers [1, 2, 2], 1 residual block per level,
attention at side 2, GroupNorm with 8 groups, sinusoidal embedding of t (width 128, scale 1000)
through Linear-SiLU-Linear, 10 labels + the null row, zero-initialised output layers, as
ScoreKit builds it. Step: x, eps ~ N(0, I), t ~ U(1e-5, 1), labels uniform; loss = mean((F - eps)^2);
gradients of every parameter (no optimizer). Prints one JSON line as the peer workloads do.
"""
import argparse
import json
import math
import os
import platform
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class ResBlock(nn.Module):
    def __init__(self, cin, cout, emb, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.emb = nn.Linear(emb, cout)
        self.norm2 = nn.GroupNorm(groups, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, a):
        u = self.conv1(F.silu(self.norm1(x))) + self.emb(a)[:, :, None, None]
        r = self.conv2(F.silu(self.norm2(u)))
        return (self.skip(x) if self.skip is not None else x) + r


class Attention(nn.Module):
    def __init__(self, channels, heads, groups):
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(groups, channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.out = nn.Conv2d(channels, channels, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x):
        n, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(n, 3, self.heads, c // self.heads, h * w).unbind(1)
        # positions last, as ScoreKit's Tensor.attention: softmax over keys of qᵀk/√d
        weights = torch.softmax(torch.einsum("nhdi,nhdj->nhij", q, k) / math.sqrt(c // self.heads), dim=-1)
        y = torch.einsum("nhij,nhdj->nhdi", weights, v).reshape(n, c, h, w)
        return x + self.out(y)


class UNet(nn.Module):
    def __init__(self, channels=1, side=8, base=32, mults=(1, 2, 2), blocks=1, attn=(2,), heads=1, groups=8,
                 emb=128, classes=10, scale=1000.0):
        super().__init__()
        half = emb // 2
        step = math.log(10000.0) / (half - 1)
        self.register_buffer("freqs", scale * torch.exp(-step * torch.arange(half, dtype=torch.float32))[None])
        self.dense1 = nn.Linear(emb, emb)
        self.dense2 = nn.Linear(emb, emb)
        self.labels = nn.Embedding(classes + 1, emb) if classes > 0 else None
        self.input = nn.Conv2d(channels, base, 3, padding=1)
        self.stages = nn.ModuleList()
        self.kinds = []
        skips, ch, s = [base], base, side
        for level, m in enumerate(mults):
            attends = s in attn
            for _ in range(blocks):
                self.stages.append(ResBlock(ch, base * m, emb, groups))
                self.kinds.append(("res", not attends, False))
                ch = base * m
                if attends:
                    self.stages.append(Attention(ch, heads, groups))
                    self.kinds.append(("attn", True, False))
                skips.append(ch)
            if level < len(mults) - 1:
                self.stages.append(nn.Conv2d(ch, ch, 3, stride=2, padding=1))
                self.kinds.append(("down", True, False))
                skips.append(ch)
                s //= 2
        for module, kind in ((ResBlock(ch, ch, emb, groups), ("res", False, False)),
                             (Attention(ch, heads, groups), ("attn", False, False)),
                             (ResBlock(ch, ch, emb, groups), ("res", False, False))):
            self.stages.append(module)
            self.kinds.append(kind)
        for level, m in reversed(list(enumerate(mults))):
            attends = s in attn
            for _ in range(blocks + 1):
                self.stages.append(ResBlock(ch + skips.pop(), base * m, emb, groups))
                self.kinds.append(("res", False, True))
                ch = base * m
                if attends:
                    self.stages.append(Attention(ch, heads, groups))
                    self.kinds.append(("attn", False, False))
            if level > 0:
                self.stages.append(nn.Conv2d(ch, ch, 3, padding=1))
                self.kinds.append(("up", False, False))
                s *= 2
        self.norm = nn.GroupNorm(groups, ch)
        self.output = nn.Conv2d(ch, channels, 3, padding=1)
        nn.init.zeros_(self.output.weight)
        nn.init.zeros_(self.output.bias)

    def forward(self, x, t, y):
        angles = t[:, None] * self.freqs
        e = self.dense2(F.silu(self.dense1(torch.cat([torch.sin(angles), torch.cos(angles)], 1))))
        if self.labels is not None:
            e = e + self.labels(y)
        a = F.silu(e)
        h = self.input(x)
        skips = [h]
        for module, (kind, pushes, concatenates) in zip(self.stages, self.kinds):
            if kind == "res":
                if concatenates:
                    h = torch.cat([h, skips.pop()], 1)
                h = module(h, a)
            elif kind == "up":
                h = module(F.interpolate(h, scale_factor=2, mode="nearest"))
            else:
                h = module(h)
            if pushes:
                skips.append(h)
        return self.output(F.silu(self.norm(h)))


def jiffies():
    values = [float(v) for v in open("/proc/stat").readline().split()[1:9]]
    return sum(values), values[3] + values[4]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shape", choices=["digits", "cifar"], default="digits")
    p.add_argument("--n", type=int, default=0, help="batch (default: 128 digits, 32 cifar)")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out")
    p.add_argument("--tag", default="")
    p.add_argument("--compile", action="store_true",
                   help="torch.compile the network (the first step, which compiles, is reported as first_step_s)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    cifar = args.shape == "cifar"
    # cifar: scorekit-bench unet-cifar's network (base 64, [1, 2, 2, 2], 2 blocks, attention at 16, 32 groups)
    model = (UNet(channels=3, side=32, base=64, mults=(1, 2, 2, 2), blocks=2, attn=(16,), groups=32, emb=256)
             if cifar else UNet())
    params = list(model.parameters())
    network = torch.compile(model) if args.compile else model
    n = args.n or (32 if cifar else 128)
    image = (3, 32, 32) if cifar else (1, 8, 8)

    def step():
        x = torch.randn(n, *image)
        eps = torch.randn(n, *image)
        t = torch.rand(n) * (1 - 1e-5) + 1e-5
        y = torch.randint(0, 11, (n,))
        for q in params:
            q.grad = None
        loss = ((network(x, t, y) - eps) ** 2).mean()
        loss.backward()
        return loss

    t0 = time.perf_counter()
    step()
    first = time.perf_counter() - t0
    for _ in range(args.warmup):
        step()
    values, busy = [], []
    for _ in range(args.reps):
        times = []
        w0, c0, j0 = time.perf_counter(), time.process_time(), jiffies()
        for _ in range(args.steps):
            t = time.perf_counter()
            step()
            times.append(time.perf_counter() - t)
        wall, cpu, j1 = time.perf_counter() - w0, time.process_time() - c0, jiffies()
        used = ((j1[0] - j0[0]) - (j1[1] - j0[1])) / os.sysconf("SC_CLK_TCK")
        busy.append(max(0.0, used - cpu) / max(wall, 1e-9))
        values.append(statistics.median(times) * 1e3)
    record = {
        "workload": "unet-cifar" if cifar else "unet", "system": "torch-compile" if args.compile else "torch-eager", "n": n, "threads": args.threads, "metric": "ms/step",
        "values": values, "other_busy": busy, "first_step_s": first, "steps_per_rep": args.steps,
        "parameters": sum(q.numel() for q in params), "torch": torch.__version__,
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
