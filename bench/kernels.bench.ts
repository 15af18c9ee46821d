/**
 * Kernel benchmark: one post-LN encoder layer's training step (the model's own linear /
 * layerNorm / gelu building blocks, Adam) on the wasm backend with the native OpenBLAS
 * kernels and with the plain wasm kernels, next to bench/layer_reference.py (PyTorch) on
 * the same shapes; plus a 1024² float32 matmul. Medians of several timed steps.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../src/core/backend';
import { nativeKernelStatus, setNativeKernelsEnabled } from '../src/core/kernels/install';
import { blasThreadsWanted } from '../src/core/kernels/native';
import { gelu, layerNorm, linear } from '../src/core/model/layers';
import type { ParamMap } from '../src/core/model/types';
import { AdamW } from '../src/core/training/adamw';
import type { BenchRow } from './row';

export interface LayerShape {
  batch: number;
  tokens: number;
  hidden: number;
  heads: number;
  ffn: number;
}

/** The measurement: batch 32, 48 tokens, hidden 128, FFN 512 (4 heads of 32). */
export const SMALL_LAYER: LayerShape = { batch: 32, tokens: 48, hidden: 128, heads: 4, ffn: 512 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function makeParams(s: LayerShape): ParamMap {
  const p: ParamMap = new Map();
  let seed = 1;
  const keep = (name: string, t: tf.Tensor) => {
    p.set(name, tf.variable(t));
    t.dispose(); // the variable holds its own reference to the data
  };
  const lin = (name: string, out: number, inp: number) => {
    keep(`${name}.weight`, tf.randomNormal([out, inp], 0, 0.02, 'float32', seed++));
    keep(`${name}.bias`, tf.zeros([out]));
  };
  const ln = (name: string) => {
    keep(`${name}.weight`, tf.ones([s.hidden]));
    keep(`${name}.bias`, tf.zeros([s.hidden]));
  };
  for (const n of ['q', 'k', 'v', 'o']) lin(n, s.hidden, s.hidden);
  ln('ln1');
  lin('inter', s.ffn, s.hidden);
  lin('out', s.hidden, s.ffn);
  ln('ln2');
  return p;
}

/** Same computation as src/core/model/uniter.ts's layer (dropout off). */
function layer(p: ParamMap, s: LayerShape, x: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const dh = s.hidden / s.heads;
  const split = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [s.batch, s.tokens, s.heads, dh]), [0, 2, 1, 3]);
  const q = split(linear(p, 'q', x)),
    k = split(linear(p, 'k', x)),
    v = split(linear(p, 'v', x));
  const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), bias);
  const ctx = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), v), [0, 2, 1, 3]), [s.batch, s.tokens, s.hidden]);
  const h1 = layerNorm(p, 'ln1', tf.add(linear(p, 'o', ctx), x));
  const inter = gelu(linear(p, 'inter', h1));
  return layerNorm(p, 'ln2', tf.add(linear(p, 'out', inter), h1));
}

export interface LayerStep {
  run(): number;
  dispose(): void;
}

/**
 * A training step (forward, mean-square error to a fixed random target, backward, Adam)
 * returning the loss. (A target matters: mean(y²) of a LayerNorm output only moves gamma.)
 */
export function layerStep(s: LayerShape, lr = 1e-4): LayerStep {
  const p = makeParams(s);
  const x = tf.randomNormal([s.batch, s.tokens, s.hidden], 0, 1, 'float32', 99);
  const target = tf.randomNormal([s.batch, s.tokens, s.hidden], 0, 1, 'float32', 98);
  const bias = tf.zeros([s.batch, 1, 1, s.tokens]);
  // The project's optimiser with torch.optim.Adam's defaults (the reference's): one fused
  // native call on the native kernel set, tfjs ops otherwise.
  const opt = new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
  const vars = [...p.values()];
  const names = new Map([...p].map(([n, v]) => [v.name, n]));
  return {
    run: () => {
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tf.square(tf.sub(layer(p, s, x, bias), target))) as tf.Scalar,
        vars,
      );
      opt.step(p, new Map(Object.entries(grads).map(([k, g]) => [names.get(k)!, g])), lr);
      const v = value.dataSync()[0];
      tf.dispose([value, ...Object.values(grads)]);
      return v;
    },
    dispose: () => {
      opt.dispose();
      tf.dispose([...vars, x, target, bias]);
    },
  };
}

/** Median ms of `steps` calls after `warm` untimed ones. */
export function timeIt(f: () => void, steps: number, warm = 2): number {
  for (let i = 0; i < warm; i++) f();
  const ms: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    f();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

interface TorchResult {
  layerMs: number;
  matmulMs: number;
  version: string;
  threads: number;
}

function referenceScript(): string {
  const here = path.resolve(__dirname, 'layer_reference.py');
  return fs.existsSync(here) ? here : path.resolve(__dirname, '..', '..', 'bench', 'layer_reference.py');
}

let torchPython: string | null = null;

function runTorch(s: LayerShape, steps: number, threads: number): TorchResult | string {
  const candidates = torchPython
    ? [torchPython]
    : [process.env.TICKETLAB_TORCH_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => !!c);
  let why = 'no python3 with torch found';
  for (const py of candidates) {
    const args = [referenceScript(), s.batch, s.tokens, s.hidden, s.heads, s.ffn, steps, threads].map(String);
    const r = spawnSync(py, args, { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) {
      if (!/No module named 'torch'/.test(r.stderr ?? ''))
        why = `${py}: ${(r.stderr || r.error?.message || 'failed').trim().split('\n').pop()}`;
      continue;
    }
    torchPython = py;
    const d = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
      layer_ms: number[];
      matmul_ms: number[];
      torch: string;
      threads: number;
    };
    return { layerMs: median(d.layer_ms), matmulMs: median(d.matmul_ms), version: d.torch, threads: d.threads };
  }
  return why;
}

/** 1024² float32 matmul, median ms. */
function matmulMs(reps: number): number {
  const a = tf.randomNormal([1024, 1024], 0, 1, 'float32', 5),
    b = tf.randomNormal([1024, 1024], 0, 1, 'float32', 6);
  const ms = timeIt(() => tf.matMul(a, b).dispose(), reps, 1);
  tf.dispose([a, b]);
  return ms;
}

const gflops = (ms: number) => (2 * 1024 ** 3) / (ms * 1e6);

function withNative<T>(on: boolean, f: () => T): T {
  setNativeKernelsEnabled(on);
  try {
    return f();
  } finally {
    setNativeKernelsEnabled(true);
  }
}

/**
 * Rows for `npm run bench`. PyTorch and tfjs runs alternate over `rounds` rounds (the machine
 * is shared, so load drifts); each figure is the median over rounds of per-round medians.
 * Native rows are left out (and the plain row says why) when the addon is absent.
 */
export async function benchKernels(rounds = 3, steps = 7): Promise<BenchRow[]> {
  const info = await initBackend();
  const threads = blasThreadsWanted();
  const tag = `b${SMALL_LAYER.batch} t${SMALL_LAYER.tokens} h${SMALL_LAYER.hidden} ffn${SMALL_LAYER.ffn}`;
  if (info.backend !== 'wasm') {
    return [
      {
        row: `kernels layer step ${tag}`,
        oursMs: NaN,
        referenceMs: null,
        note: `skipped: backend is ${info.backend}, not wasm`,
      },
    ];
  }
  const native = nativeKernelStatus().installed;
  const loadStart = os.loadavg()[0].toFixed(1); // 1-min load average: shared machines drift
  const t = { nat: [] as number[], plain: [] as number[], natMm: [] as number[], plainMm: [] as number[] };
  // PyTorch runs with 1 thread and with ours; the faster setting is the reference (its
  // thread pool degrades badly on a loaded machine, and we should not profit from that).
  const torchThreads = [...new Set([1, threads])];
  const torchRuns = new Map<number, { layer: number[]; mm: number[] }>();
  let ref: TorchResult | string = 'not run';
  const step = layerStep(SMALL_LAYER);
  try {
    for (let r = 0; r < rounds; r++) {
      for (const n of torchThreads) {
        ref = runTorch(SMALL_LAYER, steps, n);
        if (typeof ref === 'string') break;
        (torchRuns.get(n) ?? torchRuns.set(n, { layer: [], mm: [] }).get(n)!).layer.push(ref.layerMs);
        torchRuns.get(n)!.mm.push(ref.matmulMs);
      }
      if (native) {
        t.nat.push(withNative(true, () => timeIt(() => step.run(), steps)));
        t.natMm.push(withNative(true, () => matmulMs(10)));
      }
      // The stock kernels take ~10x longer: fewer steps, still a median.
      t.plain.push(withNative(false, () => timeIt(() => step.run(), 3, 1)));
      t.plainMm.push(withNative(false, () => matmulMs(3)));
    }
  } finally {
    step.dispose();
  }
  // Per thread setting: median over rounds; the reference is the faster setting, separately
  // for the layer step and for the matmul.
  const perSetting = [...torchRuns].map(([n, r]) => ({ n, layer: median(r.layer), mm: median(r.mm) }));
  const best = perSetting.length ? perSetting.reduce((x, y) => (y.layer < x.layer ? y : x)) : null;
  const bestMm = perSetting.length ? Math.min(...perSetting.map((p) => p.mm)) : null;
  const refMs = best ? best.layer : null;
  const refNote =
    typeof ref === 'string'
      ? `reference skipped: ${ref}`
      : `torch ${ref.version}, faster of ${torchThreads.join('/')} threads: ${best?.n}`;
  const common = `median of ${rounds} rounds x ${steps} steps; ${refNote}; load ${loadStart}->${os.loadavg()[0].toFixed(1)}`;
  const rows: BenchRow[] = [];
  if (native)
    rows.push({
      row: `kernels layer step ${tag} (native)`,
      oursMs: median(t.nat),
      referenceMs: refMs,
      note: `${info.kernels}; ${common}`,
    });
  rows.push({
    row: `kernels layer step ${tag} (plain wasm)`,
    oursMs: median(t.plain),
    referenceMs: refMs,
    note: native ? common : `native kernels unavailable: ${nativeKernelStatus().reason}; ${common}`,
  });
  const mm = native ? median(t.natMm) : median(t.plainMm);
  const figures = [
    ...(native ? [`native ${gflops(median(t.natMm)).toFixed(1)}`] : []),
    `plain wasm ${gflops(median(t.plainMm)).toFixed(1)}`,
    ...(bestMm !== null ? [`torch ${gflops(bestMm).toFixed(1)}`] : []),
  ];
  rows.push({
    row: `kernels matmul 1024x1024 (${native ? 'native' : 'plain wasm'})`,
    oursMs: mm,
    referenceMs: bestMm,
    note: `GFLOP/s: ${figures.join(', ')}`,
  });
  return rows;
}
