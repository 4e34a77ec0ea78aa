#!/usr/bin/env python3
"""Turn the peers' trained weights into a ScoreKit run folder, so that `scorekit sample` runs the
same workload as `scorekit-bench` (docs/BENCHMARKS.md, "The user's path is the benchmarked path").

    scripts/bench/peer-run-folder.py w2 $PEERS_CACHE/weights_ncsn.safetensors runs/peers-w2
    scripts/bench/peer-run-folder.py w3 $PEERS_CACHE/weights_vp.safetensors runs/peers-w3

The folder gets `resolved-recipe.yaml` (the components of `SamplingWorkloads.w2` / `w3`, built
from the same registry keys, and `seed: 1`, the seed of the benchmarks' sampler noise) and
`checkpoint-final.safetensors` (the weights as `model.*`, no optimizer state, no moving average,
the data described as 2-D vectors without standardisation). The benchmarks start from given
noise (W2: U(-8, 8)^2, W3: N(0, I), both from seed 0); write it with
`scorekit-bench w2 --n 10000 --write-init init.npy` and pass it to `scorekit sample --init`.

Standard library only; the weights file is the peers' float32 safetensors (emb1 emb2 l1 … l4).
"""
import json
import os
import struct
import sys

# The sampling sections of SamplingWorkloads.w2 and .w3, key for key.
RECIPES = {
    # sigmaMin is one geometric step below 0.01 (12 levels from 10 to 0.01); the grid's 12 start
    # times are the levels, ending just above t = 0 so that no final denoising step is taken.
    "w2": """\
# W2 of the peer benchmarks: annealed Langevin, 12 levels x 100 steps, on the peers' NCSN network.
sde:              {{ kind: variance-exploding, sigmaMin: {sigma_min!r}, sigmaMax: 10 }}
parameterization: {{ kind: score }}
network:          {{ kind: mlp, hiddenWidths: [256, 256, 256], embeddingWidth: 32, conditioning: logNoiseLevel }}
data:             {{ kind: ring, count: 10000, radius: 4, standardDeviation: 0.25 }}
timeGrid:         {{ kind: uniform, steps: 12, endTime: 1e-9 }}
sampler:          {{ kind: annealed-langevin, stepSize: 1e-5, steps: 100, initialization: prior }}
seed: 1
""".format(sigma_min=0.01 * 0.001 ** (1 / 11)),
    "w3": """\
# W3 of the peer benchmarks: Euler-Maruyama on the reverse VP-SDE, 1000 steps, on the peers' VP network.
sde:              { kind: variance-preserving, betaMin: 0.1, betaMax: 20 }
parameterization: { kind: epsilon }
network:          { kind: mlp, hiddenWidths: [256, 256, 256], embeddingWidth: 32, conditioning: time }
data:             { kind: ring, count: 10000, radius: 4, standardDeviation: 0.25 }
timeGrid:         { kind: uniform, steps: 1000, endTime: 1e-3 }
sampler:          { kind: euler-maruyama }
seed: 1
""",
}


def read_safetensors(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    header.pop("__metadata__", None)
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] != "F32":
            sys.exit(f"{path}: tensor {name} is {entry['dtype']}, expected F32")
        begin, end = entry["data_offsets"]
        tensors[name] = (entry["shape"], data[begin:end])
    return tensors


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    offset = 0
    for name in sorted(tensors):
        shape, blob = tensors[name]
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name in sorted(tensors):
            f.write(tensors[name][1])
    os.replace(path + ".tmp", path)


def main(argv):
    if len(argv) != 4 or argv[1] not in RECIPES:
        sys.exit("usage: peer-run-folder.py w2|w3 WEIGHTS.safetensors FOLDER")
    workload, weights, folder = argv[1:]
    recipe = RECIPES[workload]
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "resolved-recipe.yaml"), "w") as f:
        f.write(recipe)
    model = {"model." + name: value for name, value in read_safetensors(weights).items()}
    metadata = {
        "format": "scorekit-checkpoint", "formatVersion": "1", "step": "0", "seed": "1",
        "optimizerStepCount": "0", "emaUpdateCount": "0", "classCount": "0", "recipe": recipe,
        "randomState": "not trained here: the peers' weights", "dataSampleShape": "2",
    }
    write_safetensors(os.path.join(folder, "checkpoint-final.safetensors"), model, metadata)
    print(f"wrote {folder}/resolved-recipe.yaml and {folder}/checkpoint-final.safetensors ({workload})")


if __name__ == "__main__":
    main(sys.argv)
