/**
 * Thread count for large matmuls, chosen by measurement. On 2 cores shared with other jobs a
 * second OpenBLAS thread sometimes halves a product's time and sometimes doubles it (its
 * worker waits for a core: PyTorch's shipped-config step took 796 ms on 2 threads against 58 ms on
 * 1 thread in one of our bench runs). The load average cannot tell these apart (it counts our
 * own threads and the benchmark reference's), so the chooser times the products themselves:
 * an average cost per flop for each setting, the cheaper one used, the other re-tried every
 * `exploreEvery` large products (two in a row) so a change of conditions is noticed.
 */
import { blasSmallMnkWanted, blasThreadsFixed, blasThreadsWanted, type NativeBlas } from './native';

export class ThreadChooser {
  private readonly cost = new Map<number, number>();
  private calls = 0;

  constructor(
    readonly max: number,
    private readonly exploreEvery = 32,
    private readonly smoothing = 0.3,
  ) {}

  /** The cheaper setting by current estimates; 1 when only one thread is allowed. */
  best(): number {
    if (this.max <= 1) return 1;
    const one = this.cost.get(1);
    const many = this.cost.get(this.max);
    if (one === undefined || many === undefined) return this.max;
    return one <= many ? 1 : this.max;
  }

  /** The setting for the next large product (unmeasured settings first, then the best). */
  pick(): number {
    if (this.max <= 1) return 1;
    this.calls += 1;
    for (const n of [this.max, 1]) if (!this.cost.has(n)) return n;
    const best = this.best();
    // Explorations come in pairs: the first product after a switch pays for waking (or
    // parking) OpenBLAS's workers and is not recorded (see withChosenThreads).
    return this.calls % this.exploreEvery < 2 ? (best === 1 ? this.max : 1) : best;
  }

  /** Records that a product of `flops` took `ms` on `threads` threads. */
  record(threads: number, ms: number, flops: number): void {
    if (!(flops > 0) || !(ms >= 0)) return;
    const c = ms / flops;
    const prev = this.cost.get(threads);
    this.cost.set(threads, prev === undefined ? c : prev + this.smoothing * (c - prev));
  }
}

let chooser: ThreadChooser | null | undefined;
let smallMnk = 0;
let current = 0;

/** The process's chooser for large products; null when the count is fixed or there is one core. */
function sharedChooser(): ThreadChooser | null {
  if (chooser === undefined) {
    const max = blasThreadsWanted();
    chooser = blasThreadsFixed() || max <= 1 ? null : new ThreadChooser(max);
    smallMnk = blasSmallMnkWanted();
  }
  return chooser;
}

/**
 * Runs one product (`run`) of batch·m·n·k multiply-adds, on the measured-best thread count
 * when it is large (m·n·k at least the small-product bound; smaller ones run on one thread
 * inside the addon anyway).
 */
export function withChosenThreads(blas: NativeBlas, batch: number, mnk: number, run: () => void): void {
  const c = sharedChooser();
  if (!c || mnk < smallMnk) {
    run();
    return;
  }
  const n = c.pick();
  const switched = n !== current;
  if (switched) {
    blas.setThreads(n);
    current = n;
  }
  const t0 = performance.now();
  run();
  // The first product after a switch also times waking or parking the workers: not recorded.
  if (!switched) c.record(n, performance.now() - t0, 2 * batch * mnk);
}

/** Threads large products currently run on (the configured count before any measurement). */
export function blasThreadsNow(): number {
  return sharedChooser()?.best() ?? blasThreadsWanted();
}
