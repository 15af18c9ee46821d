/**
 * Progress of one run execution: step/progress and phase go to the run row with their event
 * (the lifecycle writes both in one statement; ≤ 1 progress write per 200 ms, phase changes at
 * once), and metric history is sampled (≤ 1 point per 500 ms per series, plus every explicitly
 * logged value). All writes go through one serial chain so events leave in the order they happened.
 */
import type { DataSource } from 'typeorm';
import * as lifecycle from '../lifecycle/run-lifecycle';

export const EVENT_INTERVAL_MS = 200;
export const METRIC_INTERVAL_MS = 500;

interface Pending {
  step: number;
  totalSteps: number;
  progress: number;
  loss: number;
  lr: number;
  at: number;
}

export class RunReporter {
  private chain: Promise<void> = Promise.resolve();
  private lastEvent = 0;
  private lastFlush = 0;
  private readonly lastSample = new Map<string, number>();
  private points: Array<[number, string, number]> = [];
  private latest: Pending | null = null;
  private phase: string | null = null;
  private failed: unknown = null;
  private closed = false;

  constructor(
    private readonly ds: DataSource,
    private readonly runId: string,
    private readonly token: string,
    private readonly logLine: (l: string) => void,
  ) {}

  /** Drops everything reported from now on (the run was lost: its events would mislead). */
  close(): void {
    this.closed = true;
  }

  private enqueue(fn: () => Promise<void>): void {
    if (this.closed) return;
    this.chain = this.chain.then(fn).catch((e: unknown) => {
      // Progress is best effort: a lost event or point must not fail the run.
      if (!this.failed) this.logLine(`run ${this.runId}: progress write failed: ${String(e)}`);
      this.failed = e;
    });
  }

  setPhase(phase: string, at = Date.now()): void {
    this.phase = phase;
    this.enqueue(async () => {
      await lifecycle.phase(this.ds, this.runId, this.token, phase, at);
    });
  }

  /** One training step (from the compute thread). */
  progress(p: Pending): void {
    this.latest = p;
    this.sample('loss', p.step, p.loss, p.at);
    this.sample('lr', p.step, p.lr, p.at);
    const now = Date.now();
    if (now - this.lastEvent >= EVENT_INTERVAL_MS || p.step === p.totalSteps) {
      this.lastEvent = now;
      this.persist({
        step: p.step,
        totalSteps: p.totalSteps,
        progress: p.progress,
        metrics: { loss: p.loss, lr: p.lr },
        at: p.at,
      });
    }
  }

  /** The row's progress with its event; the pending points at most every METRIC_INTERVAL_MS, or now. */
  private persist(p: Parameters<typeof lifecycle.progress>[3], flush = false): void {
    this.enqueue(async () => {
      await lifecycle.progress(this.ds, this.runId, this.token, p);
      if (flush || Date.now() - this.lastFlush >= METRIC_INTERVAL_MS) await this.flushPoints();
    });
  }

  private sample(name: string, step: number, value: number, at: number): void {
    if (!Number.isFinite(value)) return;
    const last = this.lastSample.get(name);
    if (last !== undefined && at - last < METRIC_INTERVAL_MS) return;
    this.lastSample.set(name, at);
    this.points.push([step, name, value]);
  }

  /** A value that must be kept (end-of-level score, sparsity): never subsampled. */
  record(name: string, step: number, value: number): void {
    if (Number.isFinite(value)) this.points.push([step, name, value]);
  }

  /**
   * Values a client follows live beside the loss (Early-Bird's mask distances): each kept as a
   * metric point, and sent at once in a progress event's metrics with the latest loss and lr.
   */
  live(values: Record<string, number>, step: number, at: number): void {
    for (const [name, v] of Object.entries(values)) this.record(name, step, v);
    const l = this.latest;
    this.lastEvent = Date.now();
    this.persist({
      step: l?.step ?? step,
      totalSteps: l?.totalSteps ?? step,
      progress: l?.progress ?? 0,
      metrics: { ...(l ? { loss: l.loss, lr: l.lr } : {}), ...values },
      at,
    });
  }

  /** Writes progress at a unit boundary (a level or seed stored) and the pending points. */
  checkpoint(step: number, totalSteps: number): void {
    // The last loss of a unit is kept even when it fell inside a sampling window.
    const l = this.latest;
    if (l && !this.points.some(([s, n]) => s === l.step && n === 'loss') && Number.isFinite(l.loss))
      this.points.push([l.step, 'loss', l.loss]);
    // Stamped with the last step's time: later steps, stamped by the compute thread before this
    // boundary was processed, must not appear to precede it.
    this.persist({ step, totalSteps, progress: totalSteps > 0 ? step / totalSteps : 0, at: l?.at }, true);
  }

  private async flushPoints(): Promise<void> {
    this.lastFlush = Date.now();
    if (this.points.length === 0) return;
    const pts = this.points;
    this.points = [];
    const values = pts.map((_, i) => `($1, $${i * 3 + 2}, $${i * 3 + 3}, $${i * 3 + 4})`).join(', ');
    await this.ds.query(`INSERT INTO metric_point (run_id, step, name, value) VALUES ${values}`, [
      this.runId,
      ...pts.flat(),
    ]);
  }

  /** Waits for every queued write. */
  async drain(): Promise<void> {
    this.enqueue(() => this.flushPoints());
    await this.chain;
  }

  get currentPhase(): string | null {
    return this.phase;
  }
}
