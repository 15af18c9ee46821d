/**
 * The progress bar of `ticketlab watch`. On a terminal one line is redrawn in place (\r, at most
 * ~10 times a second); elsewhere (a pipe, a log file, CI) a new line is written at most once per
 * interval, plus one per status change, so logs stay short and readable.
 */

export interface ProgressState {
  status: string;
  step: number;
  totalSteps: number | null;
  /** 0..1 */
  progress: number;
  phase: string | null;
  loss: number | null;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function formatLoss(x: number): string {
  return Math.abs(x) >= 1000 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : x.toFixed(4);
}

/** One progress line; `unicode` picks block characters (terminals) or ASCII (logs). */
export function formatProgress(
  s: ProgressState,
  etaSeconds: number | null,
  opts: { width?: number; unicode?: boolean } = {},
): string {
  const barWidth = 24;
  const p = Math.min(1, Math.max(0, s.progress));
  const filled = Math.round(p * barWidth);
  const [full, empty] = opts.unicode ? ['█', '░'] : ['#', '-'];
  const parts = [
    s.status.padEnd(9),
    `[${full.repeat(filled)}${empty.repeat(barWidth - filled)}]`,
    `${(p * 100).toFixed(0).padStart(3)}%`,
    `step ${s.step}/${s.totalSteps ?? '?'}`,
  ];
  if (s.loss !== null) parts.push(`loss ${formatLoss(s.loss)}`);
  if (s.status === 'RUNNING') parts.push(`ETA ${etaSeconds === null ? '?' : formatDuration(etaSeconds)}`);
  if (s.phase) parts.push(s.phase);
  const line = parts.join('  ');
  return opts.width && line.length > opts.width ? `${line.slice(0, Math.max(0, opts.width - 1))}…` : line;
}

/** Remaining time from the progress rate seen since the first RUNNING sample. */
export class EtaEstimator {
  private first: { t: number; p: number } | null = null;

  eta(s: ProgressState, now: number): number | null {
    if (s.status !== 'RUNNING') return null;
    if (!this.first || s.progress < this.first.p) this.first = { t: now, p: s.progress };
    const dt = (now - this.first.t) / 1000;
    const dp = s.progress - this.first.p;
    if (dt < 0.5 || dp <= 0) return null;
    return ((1 - s.progress) * dt) / dp;
  }
}

export interface Output {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export class ProgressView {
  private readonly eta = new EtaEstimator();
  private lastDraw = -Infinity;
  private lastStatus = '';
  private pending: ProgressState | null = null;
  private drawn = false;
  /** lines written in non-TTY mode (for tests and summaries) */
  lines = 0;

  constructor(
    private readonly out: Output,
    private readonly intervalMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  private get tty(): boolean {
    return !!this.out.isTTY;
  }

  update(s: ProgressState): void {
    const t = this.now();
    const statusChanged = s.status !== this.lastStatus;
    const gap = this.tty ? 100 : this.intervalMs;
    const etaS = this.eta.eta(s, t);
    if (!statusChanged && t - this.lastDraw < gap) {
      this.pending = s;
      return;
    }
    this.draw(s, etaS, t);
  }

  private draw(s: ProgressState, etaS: number | null, t: number): void {
    this.pending = null;
    this.lastDraw = t;
    this.lastStatus = s.status;
    if (this.tty) {
      const width = (this.out.columns || 100) - 1;
      this.out.write(`\r${formatProgress(s, etaS, { width, unicode: true })}\x1b[K`);
      this.drawn = true;
    } else {
      this.out.write(`${formatProgress(s, etaS)}\n`);
      this.lines++;
    }
  }

  /** Draws the last state held back by the throttle (e.g. 100% before the final status). */
  flush(): void {
    if (this.pending) this.draw(this.pending, this.eta.eta(this.pending, this.now()), this.now());
  }

  /** Ends the bar: the TTY line is kept and the cursor moves to the next line. */
  end(): void {
    this.flush();
    if (this.tty && this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
