/** Transfer matrix at one sparsity: source task (rows) × target task (columns), coloured by relative score. */
import { gql } from '../api';
import { errorBox, fmt, h, pct, select } from '../dom';
import { modelsAndTasks, tickets } from '../data';

interface TaskRef { id: string; name: string; kind: string }
interface Cell { source: TaskRef; target: TaskRef; score: number; scoreStd: number; relativeScore: number | null; n: number; ticket: { id: string } | null }
interface Matrix { sparsity: number; sources: TaskRef[]; targets: TaskRef[]; cells: Cell[] }

/** White → green for relative scores from 0.8 to 1.0+ (the range where tickets win or lose). */
function colour(rel: number | null): string {
  if (rel === null) return '#eee';
  const t = Math.max(0, Math.min(1, (rel - 0.8) / 0.2));
  return `hsl(${Math.round(10 + t * 110)}, 60%, ${Math.round(88 - t * 30)}%)`;
}

export function heatmap(m: Matrix): HTMLTableElement {
  const at = new Map(m.cells.map((c) => [`${c.source.id}|${c.target.id}`, c]));
  return h('table', { class: 'heatmap', id: 'transfer-heatmap' },
    h('thead', {}, h('tr', {}, h('th', {}, 'source ↓ / target →'), ...m.targets.map((t) => h('th', {}, t.name)))),
    h('tbody', {}, ...m.sources.map((src) => h('tr', {}, h('th', {}, src.name), ...m.targets.map((tgt) => {
      const c = at.get(`${src.id}|${tgt.id}`);
      if (!c) return h('td', { class: 'empty' }, '');
      return h('td', {
        style: `background:${colour(c.relativeScore)}`, 'data-source': src.id, 'data-target': tgt.id, 'data-score': c.score, 'data-relative': c.relativeScore ?? '',
        title: `score ${fmt(c.score, 4)} ± ${fmt(c.scoreStd, 4)}, n=${c.n}`,
      }, c.ticket ? h('a', { href: `#/ticket/${c.ticket.id}` }, fmt(c.relativeScore)) : fmt(c.relativeScore));
    })))),
  );
}

export async function transferView(root: HTMLElement, q: URLSearchParams): Promise<void> {
  const { models } = await modelsAndTasks();
  if (!models.length) { root.append(h('p', {}, 'No models yet.')); return; }
  const modelId = q.get('model') ?? models[0].id;
  const ts = await tickets({ modelId, method: 'IMP' });
  const levels = [...new Set(ts.map((t) => t.sparsity).filter((x) => x > 0))].sort((a, b) => a - b);
  const sparsity = q.has('sparsity') ? Number(q.get('sparsity')) : levels[levels.length - 1];
  const mode = q.get('mode') ?? 'STANDARD';
  const form = h('form', { class: 'inline' },
    h('label', {}, 'model ', select('model', models.map((m) => [m.id, m.name]), modelId)),
    h('label', {}, 'sparsity ', select('sparsity', levels.map((l) => [String(l), pct(l)]), String(sparsity))),
    h('label', {}, 'mode ', select('mode', ['STANDARD', 'ADVERSARIAL'].map((v) => [v, v]), mode)),
  );
  form.addEventListener('change', () => (location.hash = `#/transfer?${new URLSearchParams([...new FormData(form)].map(([k, v]) => [k, String(v)]))}`));
  root.append(h('h2', {}, 'Transfer matrix'), form,
    h('p', { class: 'muted' }, 'Relative score (score ÷ dense score on the target task) of IMP tickets found on the source task, fine-tuned on the target. Start transfers under “Start”.'));
  if (sparsity === undefined || Number.isNaN(sparsity)) { root.append(h('p', {}, 'No IMP tickets for this model yet.')); return; }
  const r = await gql<{ transferMatrix: Matrix }>(
    `query($m: ID!, $s: Float!, $tm: TrainingMode!) { transferMatrix(modelId: $m, sparsity: $s, trainingMode: $tm) { sparsity sources { id name kind } targets { id name kind }
      cells { source { id name kind } target { id name kind } score scoreStd relativeScore n ticket { id } } } }`,
    { m: modelId, s: sparsity, tm: mode },
  ).catch((e: Error) => { root.append(errorBox(e.message)); return null; });
  if (!r) return;
  if (!r.transferMatrix.cells.length) root.append(h('p', {}, `No evaluations of tickets at sparsity ${pct(sparsity)} yet.`));
  else root.append(heatmap(r.transferMatrix));
}
