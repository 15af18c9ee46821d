/**
 * One study: live progress (studyEvents), what it cost, the paper's findings, Tables 1, 2 and 5
 * laid out like the paper's, per-task curves with the baselines' points, and the transfer and
 * mask-overlap heatmaps at a chosen sparsity. Every number comes from `study { report }`.
 */
import { gql, subscribe } from '../api';
import { errorBox, fmt, h, pct, progressBar, select, setProgress, when } from '../dom';
import { heatmap } from './transfer';
import { BASELINE_COLUMNS, overlapHeatmap, studyCurve, type Overlap, type Stat, type TaskRef, type TaskRow } from './study-charts';
import { STUDY_EVENT_FIELDS, STUDY_TERMINAL, type StudyEvent } from './studies';

interface TransferCell { target: TaskRef; score: number; relativeScore: number | null; n: number }
interface Report {
  tickets: TaskRow[];
  pretrainingTransfer: Array<{ sparsity: number; cells: TransferCell[]; averageRelative: number | null; averageDrop: number | null }>;
  adversarial: Array<{ sparsity: number; task: TaskRef; standard: Stat | null; adversarial: Stat | null }>;
  findings: Array<{ key: string; statement: string; holds: boolean | null; evidence: string }>;
  provenance: Array<{ version: string | null; commit: string | null; backend: string; device: string; kernels: string; worker: string; runs: number }>;
}
interface StudyFull {
  id: string; name: string; status: string; progress: number; error: string | null; params: { sparsities: number[]; taskTransferSparsity: number; threshold: number; seeds: number[]; preset: string };
  createdAt: string; startedAt: string | null; finishedAt: string | null;
  cost: { runs: number; reusedRuns: number; trainingSteps: number; computeSeconds: number };
  report: Report;
}

const STAT = 'mean std n ci95 relative';
const TASK = 'id name kind metric';
const QUERY = `query($id: ID!) { study(id: $id) { id name status progress error params createdAt startedAt finishedAt
  cost { runs reusedRuns trainingSteps computeSeconds }
  report {
    tickets { task { ${TASK} } dense { ${STAT} } relaxedSparsity strictSparsity baselineSparsity imp { ${STAT} } randomPruning { ${STAT} }
      shuffledWeights { ${STAT} } randomInit { ${STAT} } oneShot { ${STAT} } earlyBird { ${STAT} } curve { sparsity stat { ${STAT} } } }
    pretrainingTransfer { sparsity cells { target { ${TASK} } score relativeScore n } averageRelative averageDrop }
    adversarial { sparsity task { ${TASK} } standard { ${STAT} } adversarial { ${STAT} } }
    findings { key statement holds evidence }
    provenance { version commit backend device kernels worker runs } } } }`;

/** A table cell for a statistic: mean (± std) and the relative score, with the numbers as data-*. */
function statCell(st: Stat | null, name: string): HTMLTableCellElement {
  if (!st) return h('td', { class: 'empty', 'data-col': name }, '—');
  return h('td', { 'data-col': name, 'data-mean': st.mean, 'data-n': st.n, title: `n=${st.n}${st.ci95 !== null ? `, ci95 ±${fmt(st.ci95, 4)}` : ''}` },
    fmt(st.mean, 4), st.std ? h('small', {}, ` ±${fmt(st.std, 4)}`) : null, st.relative !== null ? h('small', { class: 'muted' }, ` (${fmt(st.relative)})`) : null);
}

const sp = (v: number | null) => (v === null ? 'none' : pct(v));
const head = (cols: string[]) => h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', {}, c))));

function table1(rows: TaskRow[], threshold: number): HTMLElement {
  return h('table', { class: 'study-table', id: 'table1' },
    head(['task', 'relaxed', 'strict', 'baseline at', 'dense', `${threshold * 100}% line`, 'IMP ticket', ...BASELINE_COLUMNS.map((c) => c[1])]),
    h('tbody', {}, ...rows.map((r) => h('tr', { 'data-task': r.task.id },
      h('th', {}, r.task.name), h('td', { 'data-col': 'relaxed' }, sp(r.relaxedSparsity)), h('td', { 'data-col': 'strict' }, sp(r.strictSparsity)),
      h('td', { 'data-col': 'baseline' }, sp(r.baselineSparsity)), statCell(r.dense, 'dense'), h('td', {}, r.dense ? fmt(r.dense.mean * threshold, 4) : '—'),
      statCell(r.imp, 'imp'), ...BASELINE_COLUMNS.map(([k]) => statCell(r[k] as Stat | null, k))))));
}

function table2(rep: Report): HTMLElement {
  const targets = [...new Map(rep.pretrainingTransfer.flatMap((r) => r.cells.map((c) => [c.target.id, c.target] as const))).values()];
  return h('table', { class: 'study-table', id: 'table2' }, head(['sparsity', ...targets.map((t) => t.name), 'avg. relative', 'avg. drop']),
    h('tbody', {}, ...rep.pretrainingTransfer.map((r) => h('tr', { 'data-sparsity': r.sparsity }, h('th', {}, pct(r.sparsity)),
      ...targets.map((t) => {
        const c = r.cells.find((x) => x.target.id === t.id);
        return c ? h('td', { 'data-col': t.id, 'data-score': c.score, 'data-relative': c.relativeScore ?? '' }, fmt(c.score, 4), h('small', { class: 'muted' }, ` (${fmt(c.relativeScore)})`)) : h('td', { class: 'empty' }, '—');
      }),
      h('td', { 'data-col': 'averageRelative' }, fmt(r.averageRelative)), h('td', { 'data-col': 'averageDrop' }, r.averageDrop === null ? '—' : pct(r.averageDrop))))));
}

function table5(rep: Report): HTMLElement {
  const tasks = [...new Map(rep.adversarial.map((r) => [r.task.id, r.task] as const)).values()];
  const levels = [...new Set(rep.adversarial.map((r) => r.sparsity))].sort((a, b) => a - b);
  const rows = levels.flatMap((lv) => (['standard', 'adversarial'] as const).map((mode) => h('tr', { 'data-sparsity': lv, 'data-mode': mode }, h('th', {}, `${pct(lv)} ${mode}`),
    ...tasks.map((t) => statCell(rep.adversarial.find((r) => r.sparsity === lv && r.task.id === t.id)?.[mode] ?? null, t.id)))));
  return h('table', { class: 'study-table', id: 'table5' }, head(['sparsity / training', ...tasks.map((t) => t.name)]), h('tbody', {}, ...rows));
}

function findingsList(rep: Report): HTMLElement {
  return h('ul', { class: 'findings', id: 'findings' }, ...rep.findings.map((f) => h('li', { 'data-key': f.key, 'data-holds': f.holds === null ? 'undecided' : String(f.holds) },
    h('strong', {}, f.holds === null ? 'undecided' : f.holds ? 'holds' : 'does not hold'), ` — ${f.statement} `, h('small', { class: 'muted' }, f.evidence))));
}

async function heatmaps(box: HTMLElement, studyId: string, levels: number[], sparsity: number): Promise<void> {
  const form = h('form', { class: 'inline', id: 'heatmap-form' }, h('label', {}, 'sparsity ', select('sparsity', levels.map((l) => [String(l), pct(l)]), String(sparsity))));
  const out = h('div', {});
  const draw = async (s: number) => {
    const r = await gql<{ study: { report: { transfer: Parameters<typeof heatmap>[0]; overlap: Overlap } } }>(
      `query($id: ID!, $s: Float!) { study(id: $id) { report { transfer(sparsity: $s) { sparsity sources { ${TASK} } targets { ${TASK} }
        cells { source { ${TASK} } target { ${TASK} } score scoreStd relativeScore n ticket { id } } } overlap(sparsity: $s) { sparsity tasks { ${TASK} } values } } } }`,
      { id: studyId, s },
    ).catch((e: Error) => { out.replaceChildren(errorBox(e.message)); return null; });
    if (!r) return;
    const { transfer, overlap } = r.study.report;
    out.replaceChildren(
      h('h4', {}, `Task tickets transferred (relative score), ${pct(s)}`), transfer.cells.length ? heatmap(transfer) : h('p', { class: 'muted' }, 'No transfers stored at this sparsity.'),
      h('h4', {}, `Mask overlap (Jaccard) of the tasks’ tickets, ${pct(s)}`), overlap.tasks.length ? overlapHeatmap(overlap) : h('p', { class: 'muted' }, 'No tickets at this sparsity.'));
    out.dataset.sparsity = String(s);
  };
  form.addEventListener('change', () => void draw(Number(new FormData(form).get('sparsity'))));
  box.replaceChildren(form, out);
  await draw(sparsity);
}

function results(st: StudyFull): HTMLElement {
  const rep = st.report;
  const th = st.params.threshold;
  const curves = h('div', { class: 'curves', id: 'study-curves' }, ...rep.tickets.map((r) => h('figure', {}, studyCurve(r, th), h('figcaption', {}, `${r.task.name}: IMP (line), baselines at ${sp(r.baselineSparsity)} (rings), dense (dashes), ${th * 100}% of dense (dots)`))));
  return h('div', { class: 'study-results' },
    h('h3', {}, 'Findings'), findingsList(rep),
    h('h3', {}, 'Table 1 — highest sparsity with a relaxed ticket, and the baselines there'), table1(rep.tickets, th),
    h('h3', {}, 'Sparsity curves'),
    h('p', { class: 'legend' }, h('span', { class: 'key method-imp' }, 'IMP'), ...BASELINE_COLUMNS.map(([, label], i) => h('span', { class: `key ring b${i}` }, label))),
    curves,
    h('h3', {}, 'Table 2 — the pre-training ticket transferred to each task'), rep.pretrainingTransfer.length ? table2(rep) : h('p', { class: 'muted' }, 'Not planned or not stored yet.'),
    h('h3', {}, 'Table 5 — adversarial training of the pre-training ticket'), rep.adversarial.length ? table5(rep) : h('p', { class: 'muted' }, 'Not planned or not stored yet.'),
    h('h3', {}, 'Provenance'), h('table', { class: 'study-table', id: 'provenance' }, head(['runs', 'commit', 'version', 'backend', 'device', 'kernels', 'worker']),
      h('tbody', {}, ...rep.provenance.map((p) => h('tr', {}, ...[p.runs, p.commit ?? '—', p.version ?? '—', p.backend, p.device, p.kernels, p.worker].map((v) => h('td', {}, v)))))));
}

export async function studyView(root: HTMLElement, id: string): Promise<() => void> {
  const load = async () => (await gql<{ study: StudyFull }>(QUERY, { id })).study;
  let st = await load();
  const bar = progressBar(st.progress, st.status);
  const status = h('span', { class: 'status', 'data-status': st.status }, st.status);
  const runs = h('span', { class: 'runs-done' }, '');
  const cost = h('p', { class: 'muted', id: 'study-cost' });
  const cancel = h('button', { type: 'button', id: 'study-cancel' }, 'cancel study');
  const body = h('div', {});
  const heat = h('div', { id: 'study-heatmaps' });
  const paint = () => {
    status.textContent = st.status;
    status.dataset.status = st.status;
    setProgress(bar, st.progress, st.status);
    cancel.hidden = STUDY_TERMINAL.includes(st.status);
    cost.textContent = `${st.cost.runs} runs (${st.cost.reusedRuns} reused), ${st.cost.trainingSteps} training steps, ${Math.round(st.cost.computeSeconds)} s of run time · preset ${st.params.preset}, seeds ${st.params.seeds.join(', ')} · created ${when(st.createdAt)}, finished ${when(st.finishedAt)}${st.error ? ` · ${st.error}` : ''}`;
    body.replaceChildren(results(st));
    body.id = 'study-body';
    body.dataset.status = st.status; // the status the drawn report was read at
  };
  cancel.addEventListener('click', () => void gql('mutation($id: ID!) { cancelStudy(id: $id) { id } }', { id }).then(refresh, (e: Error) => body.prepend(errorBox(e.message))));
  root.append(h('h2', {}, `Study: ${st.name}`), h('div', { class: 'run-head', id: 'study-head' }, status, bar, runs, cancel), cost, body, h('h3', {}, 'Transfer and overlap'), heat);
  paint();
  const levels = st.params.sparsities;
  await heatmaps(heat, id, levels, levels.includes(st.params.taskTransferSparsity) ? st.params.taskTransferSparsity : levels[levels.length - 1]);

  // Events move the bar at once; the report is fetched again at most once a second.
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  async function refresh(): Promise<void> {
    timer = null;
    if (closed) return;
    st = await load();
    paint();
    if (STUDY_TERMINAL.includes(st.status)) {
      const s = Number(heat.querySelector<HTMLSelectElement>('select[name=sparsity]')!.value);
      await heatmaps(heat, id, levels, s);
      heat.dataset.status = st.status;
    }
  }
  const stop = subscribe<{ studyEvents: StudyEvent }>(`subscription($id: ID!) { studyEvents(studyId: $id) { ${STUDY_EVENT_FIELDS} } }`, { id },
    ({ studyEvents: e }) => {
      status.textContent = e.status;
      status.dataset.status = e.status;
      setProgress(bar, e.progress, e.status);
      runs.textContent = `${e.runsDone} / ${e.runsTotal} runs`;
      timer ??= setTimeout(() => void refresh().catch((err: Error) => body.prepend(errorBox(err.message))), 1000);
    },
    (msg) => body.prepend(errorBox(msg)));
  // An event sent before the subscription opened is not replayed: read the state again once.
  const again = setTimeout(() => void refresh().catch(() => undefined), 2000);
  return () => { closed = true; stop(); clearTimeout(again); if (timer) clearTimeout(timer); };
}
