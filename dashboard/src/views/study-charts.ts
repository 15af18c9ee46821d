/**
 * The study page's pictures: per task, the IMP curve (mean ± std over seeds) with the baselines'
 * points at the baseline sparsity, the dense line and the threshold line; and the mask-overlap
 * heatmap. Every mark carries its numbers as data-* attributes so the page can be checked
 * against the report.
 */
import { fmt, h, pct, s } from '../dom';
import { axes, FRAME, padded, scale } from './linechart';

export interface Stat { mean: number; std: number | null; n: number; ci95: number | null; relative: number | null }
export interface TaskRef { id: string; name: string; kind: string; metric?: string }
export interface TaskRow {
  task: TaskRef; dense: Stat | null; relaxedSparsity: number | null; strictSparsity: number | null; baselineSparsity: number | null;
  imp: Stat | null; randomPruning: Stat | null; shuffledWeights: Stat | null; randomInit: Stat | null; oneShot: Stat | null; earlyBird: Stat | null;
  curve: Array<{ sparsity: number; stat: Stat }>;
}
export interface Overlap { sparsity: number; tasks: TaskRef[]; values: number[][] }

/** Table 1's baselines, in the paper's column order, with the report field each is read from. */
export const BASELINE_COLUMNS: Array<[keyof TaskRow, string]> = [
  ['randomPruning', 'random pruning'], ['randomInit', 'mask + random init'], ['shuffledWeights', 'mask + shuffled θ0'], ['oneShot', 'one-shot'],
  ['earlyBird', 'Early-Bird'],
];

function mark(cls: string, what: string, sparsity: number, st: Stat, x: (v: number) => number, y: (v: number) => number): SVGElement {
  const cx = x(sparsity);
  const g = s('g', { class: `point ${cls}` });
  if (st.std) {
    const [a, b] = [y(st.mean - st.std), y(st.mean + st.std)];
    g.append(s('line', { class: 'errbar', x1: cx, x2: cx, y1: a, y2: b }));
  }
  const c = s('circle', { class: 'pt', cx: cx.toFixed(2), cy: y(st.mean).toFixed(2), r: cls === 'imp' ? 4 : 6, 'data-series': what, 'data-sparsity': sparsity, 'data-mean': st.mean, 'data-n': st.n });
  c.append(s('title', {}, `${what} at ${pct(sparsity)}: ${fmt(st.mean, 4)}${st.std ? ` ± ${fmt(st.std, 4)}` : ''} (n=${st.n}, relative ${fmt(st.relative)})`));
  g.append(c);
  return g;
}

export function studyCurve(row: TaskRow, threshold: number): SVGElement {
  const f = { ...FRAME, h: 260 };
  const svg = s('svg', { viewBox: `0 0 ${f.w} ${f.h}`, class: 'chart curve study-curve', role: 'img', 'data-task': row.task.id, 'aria-label': `score vs sparsity on ${row.task.name}` });
  const base = row.baselineSparsity;
  const baselines = base === null ? [] : BASELINE_COLUMNS.map(([k, label]) => [label, row[k] as Stat | null] as const).filter((b): b is readonly [string, Stat] => !!b[1]);
  if (!row.curve.length && !row.dense) {
    svg.append(s('text', { x: f.w / 2, y: f.h / 2, 'text-anchor': 'middle' }, 'no results stored yet'));
    return svg;
  }
  // PRETRAIN never appears here (its score is a loss); every downstream metric is higher-is-better.
  const lines = row.dense ? [row.dense.mean, row.dense.mean * threshold] : [];
  const stats = [...row.curve.map((p) => p.stat), ...baselines.map((b) => b[1])];
  const ys = [...stats.flatMap((st) => [st.mean - (st.std ?? 0), st.mean + (st.std ?? 0)]), ...lines];
  const x = scale(0, 1, f.left, f.w - f.right);
  const y = scale(...padded(Math.min(...ys), Math.max(...ys)), f.h - f.bottom, f.top);
  axes(svg, f, x, y, 'sparsity', row.task.metric ?? 'score', (v) => `${Math.round(v * 100)}%`);
  if (row.dense) {
    svg.append(s('line', { class: 'dense-line', x1: f.left, x2: f.w - f.right, y1: y(lines[0]), y2: y(lines[0]), 'data-mean': row.dense.mean }),
      s('line', { class: 'threshold-line', x1: f.left, x2: f.w - f.right, y1: y(lines[1]), y2: y(lines[1]) }));
  }
  const g = s('g', { class: 'series method-imp' });
  const path = [...(row.dense ? [{ sparsity: 0, stat: row.dense }] : []), ...row.curve];
  g.append(s('polyline', { points: path.map((p) => `${x(p.sparsity).toFixed(2)},${y(p.stat.mean).toFixed(2)}`).join(' ') }));
  for (const p of row.curve) g.append(mark('imp', 'IMP', p.sparsity, p.stat, x, y));
  svg.append(g);
  baselines.forEach(([label, st], i) => svg.append(mark(`baseline b${i}`, label, base!, st, x, y)));
  return svg;
}

/** White → blue for overlaps from 0 to 1. */
function blue(v: number): string {
  const t = Math.max(0, Math.min(1, v));
  return `hsl(215, 60%, ${Math.round(96 - t * 46)}%)`;
}

export function overlapHeatmap(m: Overlap): HTMLTableElement {
  return h('table', { class: 'heatmap', id: 'overlap-heatmap', 'data-sparsity': m.sparsity },
    h('thead', {}, h('tr', {}, h('th', {}, ''), ...m.tasks.map((t) => h('th', {}, t.name)))),
    h('tbody', {}, ...m.tasks.map((a, i) => h('tr', {}, h('th', {}, a.name), ...m.tasks.map((b, j) =>
      h('td', { style: `background:${blue(m.values[i][j])}`, 'data-row': a.id, 'data-col': b.id, 'data-value': m.values[i][j] }, fmt(m.values[i][j])))))),
  );
}
