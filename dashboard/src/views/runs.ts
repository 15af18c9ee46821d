/** Runs list and run page, both kept live by the runEvents subscription. */
import { gql, subscribe } from '../api';
import { errorBox, fmt, h, progressBar, setProgress, shortId, when } from '../dom';
import { lineChart } from './linechart';

interface RunRow {
  id: string; kind: string; status: string; progress: number; step: number; totalSteps: number | null;
  phase: string | null; error: string | null; createdAt: string; params: Record<string, unknown>;
}
interface RunEvent { runId: string; status: string; step: number; totalSteps: number | null; progress: number; phase: string | null; metrics: Record<string, number> | null; message: string | null; at: string }

const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
const RUN_FIELDS = 'id kind status progress step totalSteps phase error createdAt params';
const EVENT_FIELDS = 'runId status step totalSteps progress phase metrics message at';

function stepText(r: { step: number; totalSteps: number | null }): string {
  return r.totalSteps ? `${r.step} / ${r.totalSteps}` : String(r.step);
}

function rowOf(r: RunRow): HTMLTableRowElement {
  const tr = h('tr', { 'data-run-id': r.id, 'data-status': r.status },
    h('td', {}, h('a', { href: `#/run/${r.id}` }, shortId(r.id))),
    h('td', {}, r.kind),
    h('td', { class: 'status' }, r.status),
    h('td', { class: 'bar' }, progressBar(r.progress, r.status)),
    h('td', { class: 'step' }, stepText(r)),
    h('td', { class: 'phase' }, r.error ? h('span', { class: 'error-text' }, r.error) : r.phase ?? ''),
    h('td', {}, when(r.createdAt)),
  );
  return tr;
}

function updateRow(tr: HTMLTableRowElement, e: RunEvent): void {
  tr.dataset.status = e.status;
  tr.querySelector('.status')!.textContent = e.status;
  setProgress(tr.querySelector<HTMLElement>('.progress')!, e.progress, e.status);
  tr.querySelector('.step')!.textContent = stepText(e);
  const phase = tr.querySelector('.phase')!;
  phase.textContent = e.status === 'FAILED' ? e.message ?? 'failed' : e.phase ?? '';
}

export async function runsView(root: HTMLElement): Promise<() => void> {
  const body = h('tbody');
  const note = h('p', { class: 'muted' });
  root.append(h('h2', {}, 'Runs'), note,
    h('table', { class: 'runs' }, h('thead', {}, h('tr', {}, ...['run', 'kind', 'status', 'progress', 'step', 'phase', 'created'].map((c) => h('th', {}, c)))), body));
  const load = async () => {
    const r = await gql<{ runs: { totalCount: number; edges: Array<{ node: RunRow }> } }>(`{ runs(first: 50) { totalCount edges { node { ${RUN_FIELDS} } } } }`);
    body.replaceChildren(...r.runs.edges.map((e) => rowOf(e.node)));
    note.textContent = `${r.runs.totalCount} runs (newest 50 shown); updates arrive live.`;
  };
  let reloading = false;
  const stop = subscribe<{ runEvents: RunEvent }>(`subscription { runEvents { ${EVENT_FIELDS} } }`, {}, (d) => {
    const e = d.runEvents;
    const tr = body.querySelector<HTMLTableRowElement>(`tr[data-run-id="${e.runId}"]`);
    if (tr) updateRow(tr, e);
    else if (!reloading) {
      // A run this page has not seen (started elsewhere): re-read the list once.
      reloading = true;
      load().catch((err) => root.append(errorBox(String(err instanceof Error ? err.message : err)))).finally(() => (reloading = false));
    }
  }, (msg) => root.append(errorBox(`live updates: ${msg}`)));
  await load();
  return stop;
}

export async function runView(root: HTMLElement, id: string): Promise<() => void> {
  const r = await gql<{ run: RunRow & { startedAt: string | null; finishedAt: string | null; metrics: Array<{ name: string; points: Array<{ step: number; value: number }> }>; tickets: Array<{ id: string; sparsity: number; level: number; method: string }>; children: RunRow[]; evaluations: Array<{ id: string; score: number; relativeScore: number | null; seed: number; task: { name: string }; ticket: { id: string; sparsity: number } | null }> } | null }>(
    `query($id: ID!) { run(id: $id) { ${RUN_FIELDS} startedAt finishedAt metrics(names: ["loss"], points: 300) { name points { step value } }
      tickets { id sparsity level method } children { ${RUN_FIELDS} } evaluations { id score relativeScore seed task { name } ticket { id sparsity } } } }`, { id });
  const run = r.run;
  if (!run) { root.append(errorBox(`no run ${id}`)); return () => undefined; }
  const bar = progressBar(run.progress, run.status);
  const status = h('strong', { class: 'status', 'data-status': run.status }, run.status);
  const step = h('span', { class: 'step' }, stepText(run));
  const phase = h('span', { class: 'phase' }, run.phase ?? '');
  const lossPts = run.metrics.find((m) => m.name === 'loss')?.points ?? [];
  const chartBox = h('div', { class: 'loss' });
  const draw = () => chartBox.replaceChildren(lineChart(lossPts.map((p) => [p.step, p.value]), 'step', 'loss'));
  draw();
  const actions = h('span', { class: 'actions' });
  const act = (label: string, mutation: 'cancelRun' | 'retryRun') => {
    const b = h('button', { type: 'button', id: mutation }, label);
    b.addEventListener('click', () => gql(`mutation($id: ID!) { ${mutation}(id: $id) { id } }`, { id })
      .then(() => window.dispatchEvent(new HashChangeEvent('hashchange')))
      .catch((e: Error) => root.append(errorBox(e.message))));
    return b;
  };
  if (!TERMINAL.includes(run.status)) actions.append(act('cancel', 'cancelRun'));
  else if (run.status !== 'SUCCEEDED') actions.append(act('retry', 'retryRun'));
  root.append(
    h('h2', {}, `${run.kind} run ${shortId(run.id)} `, actions),
    h('div', { class: 'run-head', id: 'run-head', 'data-run-id': run.id }, status, ' ', step, ' ', phase, bar),
    ...(run.error ? [errorBox(run.error)] : []),
    h('p', { class: 'muted' }, `created ${when(run.createdAt)} · started ${when(run.startedAt)} · finished ${when(run.finishedAt)}`),
    h('details', {}, h('summary', {}, 'parameters'), h('pre', {}, JSON.stringify(run.params, null, 2))),
    h('h3', {}, 'Loss'), chartBox,
  );
  if (run.tickets.length) {
    root.append(h('h3', {}, 'Tickets'), h('ul', {}, ...run.tickets.map((t) => h('li', {}, h('a', { href: `#/ticket/${t.id}` }, `${t.method} level ${t.level} · sparsity ${fmt(t.sparsity, 4)}`)))));
  }
  if (run.evaluations.length) {
    root.append(h('h3', {}, 'Evaluations'), h('table', {}, h('thead', {}, h('tr', {}, ...['task', 'ticket sparsity', 'seed', 'score', 'relative'].map((c) => h('th', {}, c)))),
      h('tbody', {}, ...run.evaluations.map((e) => h('tr', {}, h('td', {}, e.task.name), h('td', {}, e.ticket ? fmt(e.ticket.sparsity, 4) : 'dense'), h('td', {}, e.seed), h('td', {}, fmt(e.score)), h('td', {}, fmt(e.relativeScore)))))));
  }
  if (run.children.length) {
    root.append(h('h3', {}, 'Child runs'), h('table', { class: 'runs' }, h('tbody', {}, ...run.children.map(rowOf))));
  }
  let redraw: ReturnType<typeof setTimeout> | null = null;
  const stop = subscribe<{ runEvents: RunEvent }>(`subscription($id: ID) { runEvents(runId: $id) { ${EVENT_FIELDS} } }`, { id }, (d) => {
    const e = d.runEvents;
    if (e.runId === id) {
      status.textContent = e.status;
      status.dataset.status = e.status;
      step.textContent = stepText(e);
      phase.textContent = e.phase ?? '';
      setProgress(bar, e.progress, e.status);
      if (e.metrics && typeof e.metrics.loss === 'number') { lossPts.push({ step: e.step, value: e.metrics.loss }); draw(); }
      if (e.status === 'FAILED' && e.message) root.append(errorBox(e.message));
      // Finished: draw the page again to show its times, tickets and evaluations.
      if (TERMINAL.includes(e.status) && !TERMINAL.includes(run.status) && !redraw) redraw = setTimeout(() => window.dispatchEvent(new HashChangeEvent('hashchange')), 300);
    } else {
      const tr = root.querySelector<HTMLTableRowElement>(`tr[data-run-id="${e.runId}"]`);
      if (tr) updateRow(tr, e);
    }
  }, (msg) => root.append(errorBox(`live updates: ${msg}`)));
  return () => {
    if (redraw) clearTimeout(redraw);
    stop();
  };
}
