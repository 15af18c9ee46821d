/** The studies list (kept live by each study's events) and the form that starts a study from a preset. */
import { gql, subscribe } from '../api';
import { errorBox, h, progressBar, select, setProgress, shortId, when } from '../dom';
import { modelsAndTasks } from '../data';

export interface StudyHead { id: string; name: string; status: string; progress: number; error: string | null; createdAt: string; finishedAt: string | null }
export interface StudyEvent { studyId: string; status: string; progress: number; runsDone: number; runsTotal: number; message: string | null; at: string }

export const STUDY_TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
export const STUDY_EVENT_FIELDS = 'studyId status progress runsDone runsTotal message at';
const BASELINES: Array<[string, string, boolean]> = [
  ['RANDOM_PRUNING', 'random pruning', true], ['SHUFFLED_WEIGHTS', 'mask + shuffled θ0', true],
  ['RANDOM_INIT', 'mask + random init', true], ['ONE_SHOT', 'one-shot magnitude', false],
  ['EARLY_BIRD', 'Early-Bird ticket (cheap)', false],
];

function floats(v: string, what: string): number[] | undefined {
  const parts = v.split(/[\s,]+/).filter(Boolean);
  if (!parts.length) return undefined;
  return parts.map((p) => {
    const n = Number(p);
    if (!Number.isFinite(n)) throw new Error(`${what}: "${p}" is not a number`);
    return n;
  });
}

/** The form's fields as a StudyInput: empty fields are left out, so the preset's values apply. */
function studyInput(form: HTMLFormElement): Record<string, unknown> {
  const f = new FormData(form);
  const text = (k: string) => String(f.get(k) ?? '').trim();
  const out: Record<string, unknown> = { name: text('name'), preset: text('preset'), modelId: text('modelId') };
  const tasks = f.getAll('taskIds').map(String);
  if (tasks.length) out.taskIds = tasks;
  for (const k of ['sparsities', 'transferSparsities', 'adversarialSparsities'] as const) {
    const v = floats(text(k), k);
    if (v) out[k] = v;
  }
  const seeds = floats(text('seeds'), 'seeds');
  if (seeds) out.seeds = seeds;
  for (const k of ['stepsPerLevel', 'steps', 'taskTransferSparsity'] as const) if (text(k)) out[k] = Number(text(k));
  // Baselines and the two booleans are always sent when the researcher changed them from the preset's.
  if (form.dataset.baselinesTouched === 'true') out.baselines = f.getAll('baselines').map(String);
  for (const k of ['pretrainingTicket', 'taskTransfer'] as const) {
    const box = form.querySelector<HTMLInputElement>(`input[name=${k}]`)!;
    if (box.dataset.touched === 'true') out[k] = box.checked;
  }
  if (f.get('force')) out.force = true;
  return out;
}

export function studyForm(models: Array<{ id: string; name: string }>, tasks: Array<{ id: string; name: string; kind: string; builtIn: boolean }>): HTMLFormElement {
  const field = (label: string, el: HTMLElement, hint = '') => h('label', { class: 'field' }, h('span', {}, label), el, hint ? h('small', {}, hint) : null);
  const text = (name: string, placeholder: string) => h('input', { name, placeholder, autocomplete: 'off' });
  const check = (name: string, value: string, label: string, checked: boolean) => h('label', {}, h('input', { type: 'checkbox', name, value, checked }), ` ${label}`);
  const result = h('div', { class: 'result' });
  const button = h('button', { type: 'submit' }, 'Start study');
  const form = h('form', { class: 'start wide', id: 'study-form' }, h('h3', {}, 'Start a study'),
    field('name', text('name', 'e.g. paper seed 1'), 'part of the study’s identity: the same name and fields return the same study'),
    field('preset', select('preset', [['PAPER', 'PAPER — the paper’s whole protocol'], ['SMOKE', 'SMOKE — a few minutes, a first look']], 'PAPER')),
    field('model', select('modelId', models.map((m) => [m.id, m.name]))),
    field('tasks', h('div', { class: 'checks' }, ...tasks.filter((t) => t.kind !== 'PRETRAIN').map((t) => check('taskIds', t.id, t.name, false))), 'none ticked: every built-in downstream task'),
    field('IMP sparsities', text('sparsities', 'preset’s (PAPER: 0.1 … 0.9)')),
    field('baselines (Table 1)', h('div', { class: 'checks', id: 'study-baselines' }, ...BASELINES.map(([v, l, on]) => check('baselines', v, l, on)))),
    field('pre-training ticket (Table 2)', h('input', { type: 'checkbox', name: 'pretrainingTicket', checked: true })),
    field('transfer sparsities', text('transferSparsities', 'preset’s (PAPER: 0.5, 0.6, 0.7, 0.8)')),
    field('task tickets onto the other tasks', h('input', { type: 'checkbox', name: 'taskTransfer', checked: true })),
    field('task-ticket transfer sparsity', text('taskTransferSparsity', 'preset’s (PAPER: 0.6)'), 'one of the IMP sparsities'),
    field('adversarial sparsities (Table 5)', text('adversarialSparsities', 'preset’s (PAPER: 0.6, 0.7)')),
    field('seeds', text('seeds', 'preset’s (PAPER: 1, 2, 3)')),
    field('steps per IMP level', text('stepsPerLevel', 'each task’s default')),
    field('steps per evaluation', text('steps', 'each task’s default')),
    field('force new runs', h('input', { type: 'checkbox', name: 'force' })),
    button, result);
  form.querySelector('#study-baselines')!.addEventListener('change', () => (form.dataset.baselinesTouched = 'true'));
  for (const k of ['pretrainingTicket', 'taskTransfer']) {
    const box = form.querySelector<HTMLInputElement>(`input[name=${k}]`)!;
    box.addEventListener('change', () => (box.dataset.touched = 'true'));
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    result.replaceChildren();
    button.disabled = true;
    try {
      const r = await gql<{ startStudy: { id: string } }>('mutation($i: StudyInput!) { startStudy(input: $i) { id } }', { i: studyInput(form) });
      location.hash = `#/study/${r.startStudy.id}`;
    } catch (e) {
      result.replaceChildren(errorBox((e as Error).message));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function rowOf(s: StudyHead): HTMLTableRowElement {
  return h('tr', { 'data-study-id': s.id, 'data-status': s.status },
    h('td', {}, h('a', { href: `#/study/${s.id}` }, s.name)),
    h('td', { class: 'status' }, s.status),
    h('td', { class: 'bar' }, progressBar(s.progress, s.status)),
    h('td', {}, shortId(s.id)),
    h('td', {}, when(s.createdAt)),
    h('td', {}, s.error ? h('span', { class: 'error-text' }, s.error) : ''),
  );
}

export async function studiesView(root: HTMLElement): Promise<() => void> {
  const [{ models, tasks }, r] = await Promise.all([
    modelsAndTasks(),
    gql<{ studies: { edges: Array<{ node: StudyHead }> } }>('{ studies(first: 50) { edges { node { id name status progress error createdAt finishedAt } } } }'),
  ]);
  const list = r.studies.edges.map((e) => e.node);
  const body = h('tbody', {}, ...list.map(rowOf));
  root.append(h('h2', {}, 'Studies'),
    h('p', { class: 'muted' }, 'A study is the paper’s protocol as one request: IMP on every task, the baselines of Table 1, the pre-training ticket’s transfer (Table 2), adversarial training (Table 5) and task-to-task transfer. Stored results are reused.'),
    list.length ? h('table', { class: 'studies' }, h('thead', {}, h('tr', {}, ...['name', 'status', 'progress', 'id', 'created', 'error'].map((c) => h('th', {}, c)))), body) : h('p', {}, 'No studies yet.'),
    h('div', { class: 'forms' }, studyForm(models, tasks)));
  // One subscription per unfinished study: a list of a few studies, each followed until it ends.
  const stops = list.filter((s) => !STUDY_TERMINAL.includes(s.status)).map((s) => subscribe<{ studyEvents: StudyEvent }>(
    `subscription($id: ID!) { studyEvents(studyId: $id) { ${STUDY_EVENT_FIELDS} } }`, { id: s.id },
    ({ studyEvents: e }) => {
      const tr = body.querySelector<HTMLTableRowElement>(`tr[data-study-id="${e.studyId}"]`);
      if (!tr) return;
      tr.dataset.status = e.status;
      tr.querySelector('.status')!.textContent = e.status;
      setProgress(tr.querySelector<HTMLElement>('.progress')!, e.progress, e.status);
    },
    (msg) => root.append(errorBox(msg)),
  ));
  return () => stops.forEach((s) => s());
}
