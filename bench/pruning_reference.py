#!/usr/bin/env python3
"""PyTorch/numpy reference for bench/pruning.bench.ts. Random-normal weights in the 73
BERT-base prunable shapes (85,524,480 weights); global magnitude pruning to sparsity S as
torch.kthvalue on the concatenated |w| (threshold, then |w| > threshold per tensor), optionally
torch.topk(k, largest=False) as torch.nn.utils.prune.global_unstructured does; numpy
packbits/unpackbits (bitorder little) of the resulting 85.5M-entry mask.
Prints one JSON line. Usage: pruning_reference.py SPARSITY REPS TOPK(0/1)
"""
import json
import resource
import sys
import time

import numpy as np
import torch

S, REPS, TOPK = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
torch.manual_seed(0)
shapes = []
for _ in range(12):
    shapes += [(768, 768)] * 4 + [(3072, 768), (768, 3072)]
shapes.append((768, 768))
ws = [torch.randn(s) for s in shapes]
n = sum(w.numel() for w in ws)
k = round(S * n)


def kth():
    flat = torch.cat([w.abs().flatten() for w in ws])
    thr = flat.kthvalue(k).values
    return [w.abs() > thr for w in ws]


def topk():
    flat = torch.cat([w.abs().flatten() for w in ws])
    idx = torch.topk(flat, k, largest=False).indices
    m = torch.ones_like(flat, dtype=torch.bool)
    m[idx] = False
    return m


def timed(f, reps):
    out, ms = None, []
    for _ in range(reps):
        t = time.perf_counter()
        out = f()
        ms.append((time.perf_counter() - t) * 1e3)
    return out, ms


rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
masks, kth_ms = timed(kth, REPS)
rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
pruned = int(sum((~m).sum().item() for m in masks))
topk_ms = timed(topk, 1)[1] if TOPK else []
bits = torch.cat([m.flatten() for m in masks]).numpy()
packed, pack_ms = timed(lambda: np.packbits(bits, bitorder="little"), REPS)
_, unpack_ms = timed(lambda: np.unpackbits(packed, bitorder="little", count=n), REPS)
print(json.dumps({
    "n": n, "k": k, "pruned": pruned, "kth_ms": kth_ms, "topk_ms": topk_ms,
    "pack_ms": pack_ms, "unpack_ms": unpack_ms, "kth_peak_extra_mb": (rss1 - rss0) / 1024,
    "torch": torch.__version__, "threads": torch.get_num_threads(),
}))
