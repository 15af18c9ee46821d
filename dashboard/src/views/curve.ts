/**
 * Per task: score vs sparsity of IMP, one-shot and random tickets (mean ± std over seeds as error
 * bars), the dense model's score as a line, and the 99% line a relaxed winning ticket must reach.
 * Every plotted point carries its numbers as data-* attributes, so what is drawn can be checked
 * against the API.
 */
import { gql } from '../api';
import { errorBox, fmt, h, pct, s, select } from '../dom';
import { lowerIsBetter, modelsAndTasks, type Task } from '../data';
import { axes, FRAME, padded, scale } from './linechart';

export interface CurvePoint { sparsity: number; score: number; scoreStd: number; relativeScore: number | null; n: number; tickets: number; dense: boolean; searchSteps: number | null }

/** The x axis: sparsity, or what the tickets cost to find (Ticket.searchSteps). */
export type XAxis = 'sparsity' | 'cost';

const METHODS = ['IMP', 'ONE_SHOT', 'RANDOM', 'EARLY_BIRD'] as const;
const THRESHOLD = 0.99;

export function curveChart(curves: Record<string, CurvePoint[]>, task: Task, xAxis: XAxis = 'sparsity'): SVGElement {
  const f = FRAME;
  const xOf = (p: CurvePoint) => (xAxis === 'cost' ? p.searchSteps ?? 0 : p.sparsity);
  const svg = s('svg', { viewBox: `0 0 ${f.w} ${f.h}`, class: 'chart curve', role: 'img', 'aria-label': `${task.metric} vs sparsity on ${task.name}` });
  // On the cost axis, points whose cost was not recorded cannot be placed.
  const all = Object.values(curves).flat().filter((p) => xAxis === 'sparsity' || p.searchSteps !== null);
  const dense = all.find((p) => p.dense) ?? null;
  if (!all.length) {
    svg.append(s('text', { x: f.w / 2, y: f.h / 2, 'text-anchor': 'middle' }, 'no evaluations yet for this model and task'));
    return svg;
  }
  const lines = dense ? [dense.score, lowerIsBetter(task) ? dense.score / THRESHOLD : dense.score * THRESHOLD] : [];
  const ys = [...all.flatMap((p) => [p.score - p.scoreStd, p.score + p.scoreStd]), ...lines];
  const x = scale(0, Math.max(1, ...all.map(xOf)), f.left, f.w - f.right);
  const y = scale(...padded(Math.min(...ys), Math.max(...ys)), f.h - f.bottom, f.top);
  if (xAxis === 'cost') axes(svg, f, x, y, 'training steps spent finding the ticket (searchSteps)', task.metric, (v) => String(v));
  else axes(svg, f, x, y, 'sparsity (fraction of prunable weights removed)', task.metric, (v) => `${Math.round(v * 100)}%`);
  if (dense) {
    svg.append(
      s('line', { class: 'dense-line', x1: f.left, x2: f.w - f.right, y1: y(lines[0]), y2: y(lines[0]), 'data-score': dense.score }),
      s('line', { class: 'threshold-line', x1: f.left, x2: f.w - f.right, y1: y(lines[1]), y2: y(lines[1]), 'data-score': lines[1] }),
      s('text', { class: 'line-label', x: f.w - f.right - 4, y: y(lines[0]) - 4, 'text-anchor': 'end' }, 'dense'),
      s('text', { class: 'line-label', x: f.w - f.right - 4, y: y(lines[1]) + 12, 'text-anchor': 'end' }, `${THRESHOLD * 100}% of dense`),
    );
  }
  for (const m of METHODS) {
    const pts = (curves[m] ?? []).filter((p) => !p.dense && (xAxis === 'sparsity' || p.searchSteps !== null)).sort((a, b) => xOf(a) - xOf(b));
    if (!pts.length) continue;
    const g = s('g', { class: `series method-${m.toLowerCase()}`, 'data-method': m });
    const path = dense ? [dense, ...pts] : pts;
    g.append(s('polyline', { points: path.map((p) => `${x(xOf(p)).toFixed(2)},${y(p.score).toFixed(2)}`).join(' ') }));
    for (const p of pts) g.append(pointMark(p, m, x, y, xOf(p)));
    svg.append(g);
  }
  if (dense) svg.append(pointMark(dense, 'DENSE', x, y, xOf(dense)));
  return svg;
}

function pointMark(p: CurvePoint, method: string, x: (v: number) => number, y: (v: number) => number, at: number): SVGElement {
  const cx = x(at);
  const g = s('g', { class: 'point' });
  if (p.scoreStd > 0) {
    const [a, b] = [y(p.score - p.scoreStd), y(p.score + p.scoreStd)];
    g.append(s('line', { class: 'errbar', x1: cx, x2: cx, y1: a, y2: b }), s('line', { class: 'errbar', x1: cx - 4, x2: cx + 4, y1: a, y2: a }), s('line', { class: 'errbar', x1: cx - 4, x2: cx + 4, y1: b, y2: b }));
  }
  const c = s('circle', {
    // Random markers are larger rings, so an IMP point at the same place stays visible inside.
    class: 'pt', cx: cx.toFixed(2), cy: y(p.score).toFixed(2), r: method === 'DENSE' ? 5 : method === 'RANDOM' ? 6 : 4,
    'data-method': method, 'data-sparsity': p.sparsity, 'data-score': p.score, 'data-std': p.scoreStd, 'data-n': p.n, 'data-dense': p.dense, 'data-search-steps': p.searchSteps ?? '',
  });
  c.append(s('title', {}, `${method} sparsity ${pct(p.sparsity)}: ${fmt(p.score, 4)} ± ${fmt(p.scoreStd, 4)} (n=${p.n}, relative ${fmt(p.relativeScore)}, found in ${p.searchSteps ?? '?'} steps)`));
  g.append(c);
  return g;
}

function legend(curves: Record<string, CurvePoint[]>): HTMLElement {
  return h('p', { class: 'legend' }, ...METHODS.map((m) => h('span', { class: `key method-${m.toLowerCase()}` }, `${m} (${(curves[m] ?? []).filter((p) => !p.dense).length} points)`)),
    h('span', { class: 'key dense' }, 'dense'), h('span', { class: 'key threshold' }, '99% of dense'));
}

export async function curveView(root: HTMLElement, q: URLSearchParams): Promise<void> {
  const { models, tasks } = await modelsAndTasks();
  if (!models.length) { root.append(h('p', {}, 'No models yet.')); return; }
  const modelId = q.get('model') ?? models[0].id;
  const task = tasks.find((t) => t.id === q.get('task')) ?? tasks.find((t) => t.kind !== 'PRETRAIN') ?? tasks[0];
  const weightInit = q.get('init') ?? 'PRETRAINED';
  const trainingMode = q.get('mode') ?? 'STANDARD';
  const xAxis: XAxis = q.get('x') === 'cost' ? 'cost' : 'sparsity';
  const retraining = q.get('retraining') ?? 'REWIND_WEIGHTS';
  const form = h('form', { class: 'inline', id: 'curve-form' },
    h('label', {}, 'model ', select('model', models.map((m) => [m.id, m.name]), modelId)),
    h('label', {}, 'task ', select('task', tasks.map((t) => [t.id, `${t.name} (${t.metric})`]), task.id)),
    h('label', {}, 'init ', select('init', ['PRETRAINED', 'SHUFFLED', 'RANDOM'].map((v) => [v, v]), weightInit)),
    h('label', {}, 'mode ', select('mode', ['STANDARD', 'ADVERSARIAL'].map((v) => [v, v]), trainingMode)),
    h('label', {}, 'x axis ', select('x', [['sparsity', 'sparsity'], ['cost', 'search cost (steps)']], xAxis)),
    h('label', {}, 'IMP retraining ', select('retraining', ['REWIND_WEIGHTS', 'REWIND_LR', 'FINE_TUNE'].map((v) => [v, v]), retraining)),
  );
  form.addEventListener('change', () => {
    const p = new URLSearchParams([...new FormData(form)].map(([k, v]) => [k, String(v)]));
    location.hash = `#/curves?${p}`;
  });
  root.append(h('h2', {}, `Sparsity curve: ${task.name}`), form);
  const vars = { m: modelId, t: task.id, w: weightInit, tm: trainingMode, rr: retraining };
  const r = await gql<Record<string, CurvePoint[]>>(
    // The retraining rule selects among IMP's curves only: the other methods have none.
    `query($m: ID!, $t: ID!, $w: WeightInit!, $tm: TrainingMode!, $rr: RetrainingRule!) { ${METHODS.map((m) => `${m}: sparsityCurve(modelId: $m, taskId: $t, method: ${m}, weightInit: $w, trainingMode: $tm${m === 'IMP' ? ', retraining: $rr' : ''}) { sparsity score scoreStd relativeScore n tickets dense searchSteps }`).join(' ')} }`,
    vars,
  ).catch((e: Error) => { root.append(errorBox(e.message)); return null; });
  if (!r) return;
  root.append(h('div', { class: 'chart-box', id: 'sparsity-chart', 'data-x': xAxis }, curveChart(r, task, xAxis)), legend(r));
  // The paper's headline per task: the sparsest IMP ticket still within 99% of dense.
  const win = await gql<{ relaxed: Array<{ id: string; sparsity: number }>; strict: Array<{ id: string; sparsity: number }> }>(
    `query($m: ID!, $t: ID!, $tm: TrainingMode!) { relaxed: winningTickets(modelId: $m, taskId: $t, method: IMP, trainingMode: $tm, threshold: ${THRESHOLD}) { id sparsity }
      strict: winningTickets(modelId: $m, taskId: $t, method: IMP, trainingMode: $tm, strict: true) { id sparsity } }`,
    { m: modelId, t: task.id, tm: trainingMode },
  ).catch((e: Error) => { root.append(errorBox(e.message)); return null; });
  if (win) {
    const best = (list: Array<{ id: string; sparsity: number }>, what: string) => list.length
      ? h('span', {}, `${what}: `, h('a', { href: `#/ticket/${list[0].id}` }, pct(list[0].sparsity)))
      : h('span', {}, `${what}: none yet`);
    root.append(h('p', { class: 'winning', id: 'winning' }, 'Highest-sparsity IMP winning ticket (PRETRAINED init) — ',
      best(win.relaxed, `relaxed (≥ ${THRESHOLD * 100}% of dense)`), ' · ', best(win.strict, 'strict (≥ dense)')));
  }
  const rows = METHODS.flatMap((m) => (r[m] ?? []).filter((p) => !p.dense || m === 'IMP').map((p) => [p.dense ? 'dense' : m, p] as const));
  root.append(h('table', { class: 'points' },
    h('thead', {}, h('tr', {}, ...['method', 'sparsity', 'score', '± std', 'relative', 'n', 'search steps'].map((c) => h('th', {}, c)))),
    h('tbody', {}, ...rows.map(([m, p]) => h('tr', {}, h('td', {}, m), h('td', {}, fmt(p.sparsity, 4)), h('td', {}, fmt(p.score, 4)), h('td', {}, fmt(p.scoreStd, 4)), h('td', {}, fmt(p.relativeScore)), h('td', {}, p.n), h('td', {}, p.searchSteps === null ? '—' : fmt(p.searchSteps, 0)))))));
}
