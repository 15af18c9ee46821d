#!/usr/bin/env python3
"""PyTorch reference for bench/kernels.bench.ts: one post-LN BERT/UNITER encoder layer's
training step (forward, mean-square error to a random target, backward, Adam update) with the same shapes and
ops as the tfjs bench (erf GELU, LayerNorm eps 1e-12, additive attention bias), plus a
1024x1024 float32 matmul. Prints one JSON line: {"layer_ms": [...], "matmul_ms": [...], ...}.
Usage: layer_reference.py BATCH TOKENS HIDDEN HEADS FFN STEPS THREADS
"""
import json
import math
import sys
import time

import torch

B, T, H, NH, F, STEPS, THREADS = (int(a) for a in sys.argv[1:8])
torch.set_num_threads(THREADS)
torch.manual_seed(0)


class Layer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v = (torch.nn.Linear(H, H) for _ in range(3))
        self.o = torch.nn.Linear(H, H)
        self.ln1 = torch.nn.LayerNorm(H, eps=1e-12)
        self.inter = torch.nn.Linear(H, F)
        self.out = torch.nn.Linear(F, H)
        self.ln2 = torch.nn.LayerNorm(H, eps=1e-12)

    def forward(self, x, bias):
        dh = H // NH
        split = lambda t: t.view(B, T, NH, dh).permute(0, 2, 1, 3)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = q.matmul(k.transpose(-1, -2)) * (1.0 / math.sqrt(dh)) + bias
        probs = torch.softmax(scores, dim=-1)
        ctx = probs.matmul(v).permute(0, 2, 1, 3).reshape(B, T, H)
        h1 = self.ln1(self.o(ctx) + x)
        inter = torch.nn.functional.gelu(self.inter(h1))
        return self.ln2(self.out(inter) + h1)


layer = Layer()
opt = torch.optim.Adam(layer.parameters(), lr=1e-4)
x = torch.randn(B, T, H)
target = torch.randn(B, T, H)
bias = torch.zeros(B, 1, 1, T)


def step():
    opt.zero_grad()
    loss = (layer(x, bias) - target).pow(2).mean()
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(3):
    step()
layer_ms = []
for _ in range(STEPS):
    t0 = time.perf_counter()
    step()
    layer_ms.append((time.perf_counter() - t0) * 1e3)

a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
for _ in range(2):
    a.matmul(b)
matmul_ms = []
for _ in range(10):
    t0 = time.perf_counter()
    a.matmul(b)
    matmul_ms.append((time.perf_counter() - t0) * 1e3)

print(json.dumps({"layer_ms": layer_ms, "matmul_ms": matmul_ms, "torch": torch.__version__,
                  "threads": torch.get_num_threads()}))
