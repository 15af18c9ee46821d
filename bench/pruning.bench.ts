/**
 * Pruning benchmark at UNITER-base scale: 85,524,480 random-normal weights in the 73 BERT-base
 * prunable shapes (bench/bert-layout.ts). Rows: global magnitude pruning (dense → 0.5, and the
 * nested 0.5 → 0.6 step) against torch.kthvalue on the concatenated |w|; packing and unpacking
 * the 85.5M-bit mask against numpy packbits/unpackbits. Both sides run on their own random
 * weights of the same shapes and distribution (timings, not values, are compared). Our code is
 * single-threaded; torch uses its default thread count (in the note).
 * Set TICKETLAB_BENCH_TOPK=1 to also time torch.topk (prune.global_unstructured's route).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Rng } from '../src/core/rng';
import { Mask } from '../src/core/pruning/mask';
import { globalMagnitudePrune } from '../src/core/pruning/magnitude';
import { bertBasePrunable } from './bert-layout';
import { formatRow, type BenchRow } from './row';

interface TorchPruning {
  n: number;
  k: number;
  pruned: number;
  kth_ms: number[];
  topk_ms: number[];
  pack_ms: number[];
  unpack_ms: number[];
  kth_peak_extra_mb: number;
  torch: string;
  threads: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function runReference(sparsity: number, reps: number, topk: boolean): TorchPruning | string {
  const script = path.resolve(__dirname, '..', '..', 'bench', 'pruning_reference.py');
  const candidates = [process.env.TICKETLAB_TORCH_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (c): c is string => !!c,
  );
  let why = 'no python3 with torch found';
  for (const py of candidates) {
    const r = spawnSync(py, [script, String(sparsity), String(reps), topk ? '1' : '0'], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    if (r.status !== 0) {
      why = `${py}: ${(r.stderr || r.error?.message || 'failed').trim().split('\n').pop()}`;
      continue;
    }
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as TorchPruning;
  }
  return why;
}

const MB = 1024 * 1024;

/**
 * Median ms over reps, and an upper bound on the first call's peak extra memory: the RSS
 * high-water mark after it minus the RSS before it (tight when the earlier high-water mark is
 * near the current RSS, as right after the weights are generated).
 */
function measure<T>(reps: number, f: () => T): { ms: number; cpuMs: number; out: T; peakExtraMb: number } {
  const rss0 = process.memoryUsage().rss;
  let out = f();
  const peakExtraMb = Math.max(0, process.resourceUsage().maxRSS * 1024 - rss0) / MB;
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    out = f();
    times.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  // CPU time alongside wall time: on a shared machine the wall clock includes waiting
  return { ms: median(times), cpuMs: median(cpu), out, peakExtraMb };
}

export async function benchPruning(reps = 3): Promise<BenchRow[]> {
  const segs = Mask.layout(bertBasePrunable());
  const n = segs[segs.length - 1].offset + segs[segs.length - 1].length;
  const rng = new Rng(1234);
  const weights = segs.map((s) => {
    const a = new Float32Array(s.length);
    for (let i = 0; i < a.length; i++) a[i] = rng.normal() * 0.04;
    return a;
  });
  const dense = measure(reps, () => globalMagnitudePrune({ layout: segs, weights, targetSparsity: 0.5 }));
  const m50 = dense.out.mask;
  if (m50.pruned !== Math.round(0.5 * n))
    throw new Error(`bench: pruned ${m50.pruned}, expected ${Math.round(0.5 * n)}`);
  const nested = measure(reps, () => globalMagnitudePrune({ weights, current: m50, targetSparsity: 0.6 }));
  if (!nested.out.mask.isSubsetOf(m50) || nested.out.mask.pruned !== Math.round(0.6 * n))
    throw new Error('bench: nested step wrong');

  const fresh: number[] = [];
  const warm: number[] = [];
  const buf = new Uint8Array(n);
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    const u = m50.unpack(); // fresh allocation: includes first-touch page faults
    fresh.push(performance.now() - t);
    t = performance.now();
    m50.unpackInto(buf);
    warm.push(performance.now() - t);
    if (u.length !== n) throw new Error('bench: unpack length');
  }
  const bits = m50.unpack();
  const pack = measure(reps, () => Mask.pack(segs, bits));
  if (!pack.out.equals(m50)) throw new Error('bench: pack round trip differs');

  const ref = runReference(0.5, reps, process.env.TICKETLAB_BENCH_TOPK === '1');
  const r = typeof ref === 'string' ? null : ref;
  const refNote = r ? `torch ${r.torch}, ${r.threads} threads` : `reference: ${ref}`;
  const topk = r && r.topk_ms.length ? `; torch topk ${median(r.topk_ms).toFixed(0)} ms` : '';
  const tag = `${(n / 1e6).toFixed(1)}M`;
  return [
    {
      row: `pruning global magnitude ${tag} dense->0.5`,
      oursMs: dense.ms,
      referenceMs: r ? median(r.kth_ms) : null,
      note: `exact k=${m50.pruned}; ours cpu ${dense.cpuMs.toFixed(0)} ms, peak extra <= ${dense.peakExtraMb.toFixed(0)} MB single-threaded; torch kthvalue peak extra ${r ? r.kth_peak_extra_mb.toFixed(0) : '?'} MB${topk}; ${refNote}`,
    },
    {
      row: `pruning global magnitude ${tag} nested 0.5->0.6`,
      oursMs: nested.ms,
      referenceMs: r ? median(r.kth_ms) : null,
      note: `reference is the dense kthvalue; ours cpu ${nested.cpuMs.toFixed(0)} ms, peak extra <= ${nested.peakExtraMb.toFixed(0)} MB`,
    },
    {
      row: `mask pack ${tag}`,
      oursMs: pack.ms,
      referenceMs: r ? median(r.pack_ms) : null,
      note: `ours cpu ${pack.cpuMs.toFixed(0)} ms; numpy packbits little`,
    },
    {
      row: `mask unpack ${tag}`,
      oursMs: median(warm),
      referenceMs: r ? median(r.unpack_ms) : null,
      note: `into a reused buffer; into fresh memory ${median(fresh).toFixed(0)} ms (first-touch page faults); numpy unpackbits allocates`,
    },
  ];
}

if (require.main === module) {
  void benchPruning().then((rows) => {
    for (const row of rows) console.log(formatRow(row));
  });
}
