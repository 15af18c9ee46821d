#!/usr/bin/env python3
"""PyTorch reference for bench/index.ts: the same computations as the tfjs rows.

  reference.py shipped LAYERS HIDDEN HEADS FFN VOCAB FEAT TEXT REGIONS BATCH CLASSES STEPS
      one training step of the UNITER-style encoder (text + region embeddings, post-LN layers
      with erf GELU, pooler) plus a linear head, softmax CE, AdamW with clipping, dropout 0.1.
  reference.py layer HIDDEN HEADS FFN TOKENS BATCH STEPS
      one post-LN encoder layer: forward, MSE to a fixed target, backward, AdamW.

Prints one JSON line {"ms": [...], "cpu_ms": [...], "torch": version, "threads": n} (cpu_ms: process CPU time per step). Threads: TICKETLAB_BENCH_THREADS or all cores.
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# Same thread count as our side when given (TICKETLAB_BENCH_THREADS), else all cores.
torch.set_num_threads(int(os.environ.get('TICKETLAB_BENCH_THREADS') or os.cpu_count() or 1))
torch.manual_seed(0)


class Layer(nn.Module):
    def __init__(self, h, nh, ffn, p):
        super().__init__()
        self.nh = nh
        self.q, self.k, self.v, self.o = (nn.Linear(h, h) for _ in range(4))
        self.ln1 = nn.LayerNorm(h, eps=1e-12)
        self.inter = nn.Linear(h, ffn)
        self.out = nn.Linear(ffn, h)
        self.ln2 = nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(p)

    def forward(self, x, bias):
        b, t, h = x.shape
        dh = h // self.nh
        split = lambda z: z.view(b, t, self.nh, dh).permute(0, 2, 1, 3)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        probs = self.drop(torch.softmax(q.matmul(k.transpose(-1, -2)) / math.sqrt(dh) + bias, dim=-1))
        ctx = probs.matmul(v).permute(0, 2, 1, 3).reshape(b, t, h)
        h1 = self.ln1(self.drop(self.o(ctx)) + x)
        return self.ln2(self.drop(self.out(F.gelu(self.inter(h1)))) + h1)


class Encoder(nn.Module):
    def __init__(self, layers, h, nh, ffn, vocab, feat, text, classes, p=0.1):
        super().__init__()
        self.word, self.pos, self.ttype = nn.Embedding(vocab, h), nn.Embedding(text, h), nn.Embedding(2, h)
        self.ln_text = nn.LayerNorm(h, eps=1e-12)
        self.img_linear, self.img_ln = nn.Linear(feat, h), nn.LayerNorm(h, eps=1e-12)
        self.pos_linear, self.pos_ln = nn.Linear(7, h), nn.LayerNorm(h, eps=1e-12)
        self.ln_img = nn.LayerNorm(h, eps=1e-12)
        self.layers = nn.ModuleList(Layer(h, nh, ffn, p) for _ in range(layers))
        self.pooler = nn.Linear(h, h)
        self.head = nn.Linear(h, classes)
        self.drop = nn.Dropout(p)

    def forward(self, ids, tmask, feats, boxes, rmask):
        t = ids.shape[1]
        text = self.drop(self.ln_text(self.word(ids) + self.pos.weight[:t] + self.ttype.weight[0]))
        img = self.img_ln(self.img_linear(feats)) + self.pos_ln(self.pos_linear(boxes)) + self.ttype.weight[1]
        x = torch.cat([text, self.drop(self.ln_img(img))], 1)
        bias = ((1 - torch.cat([tmask, rmask], 1)) * -10000.0)[:, None, None, :]
        for layer in self.layers:
            x = layer(x, bias)
        return self.head(torch.tanh(self.pooler(x[:, 0])))


CPU_MS = []  # process CPU time (all threads) per timed step, next to the wall-clock times


def timed(step, steps):
    for _ in range(3):
        step()
    ms = []
    for _ in range(steps):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        ms.append((time.perf_counter() - t0) * 1e3)
        CPU_MS.append((time.process_time() - c0) * 1e3)
    return ms


def shipped(layers, h, nh, ffn, vocab, feat, text, regions, batch, classes, steps):
    model = Encoder(layers, h, nh, ffn, vocab, feat, text, classes)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.01)
    ids = torch.randint(5, vocab, (batch, text))
    tmask = torch.ones(batch, text)
    feats, boxes = torch.randn(batch, regions, feat), torch.rand(batch, regions, 7)
    rmask = torch.ones(batch, regions)
    labels = torch.randint(0, classes, (batch,))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(ids, tmask, feats, boxes, rmask), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 2.0)
        opt.step()
        return loss.item()

    return timed(step, steps)


def layer(h, nh, ffn, tokens, batch, steps):
    m = Layer(h, nh, ffn, 0.0)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.01)
    x, target = torch.randn(batch, tokens, h), torch.randn(batch, tokens, h)
    bias = torch.zeros(batch, 1, 1, tokens)

    def step():
        opt.zero_grad()
        loss = (m(x, bias) - target).pow(2).mean()
        loss.backward()
        opt.step()
        return loss.item()

    return timed(step, steps)


if __name__ == "__main__":
    mode, args = sys.argv[1], [int(a) for a in sys.argv[2:]]
    ms = shipped(*args) if mode == "shipped" else layer(*args)
    print(json.dumps({"ms": ms, "cpu_ms": CPU_MS, "torch": torch.__version__, "threads": torch.get_num_threads()}))
