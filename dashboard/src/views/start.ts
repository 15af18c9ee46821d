/** Forms that start pruning, evaluation and transfer runs; GraphQL errors are shown as they come back. */
import { gql } from '../api';
import { errorBox, h, select } from '../dom';
import { modelsAndTasks, ticketLabel, tickets, type TicketRow } from '../data';

type Input = Record<string, unknown>;

function numList(v: string, int: boolean): number[] | undefined {
  const parts = v.split(/[\s,]+/).filter(Boolean);
  if (!parts.length) return undefined;
  return parts.map((p) => {
    const n = Number(p);
    if (!Number.isFinite(n) || (int && !Number.isInteger(n))) throw new Error(`"${p}" is not ${int ? 'an integer' : 'a number'}`);
    return n;
  });
}

/** Reads the form's named fields into a mutation input; empty fields are left out (server defaults). */
function inputOf(form: HTMLFormElement): Input {
  const out: Input = {};
  for (const el of Array.from(form.elements) as Array<HTMLInputElement | HTMLSelectElement>) {
    const name = el.name;
    if (!name || el.disabled) continue;
    const kind = el.dataset.kind;
    if (el instanceof HTMLSelectElement && el.multiple) {
      out[name] = Array.from(el.selectedOptions).map((o) => o.value);
    } else if (el instanceof HTMLInputElement && el.type === 'checkbox') {
      if (kind === 'list') { if (el.checked) ((out[name] ??= []) as string[]).push(el.value); }
      else if (el.checked) out[name] = true;
    } else if (el.value.trim() !== '') {
      const v = el.value.trim();
      out[name] = kind === 'int' ? numList(v, true)![0] : kind === 'float' ? numList(v, false)![0] : kind === 'ints' ? numList(v, true) : kind === 'floats' ? numList(v, false) : v;
    }
  }
  return out;
}

function field(label: string, input: HTMLElement, hint = ''): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), input, hint ? h('small', {}, hint) : null);
}

function num(name: string, kind: 'int' | 'float' | 'ints' | 'floats', placeholder: string): HTMLInputElement {
  return h('input', { name, 'data-kind': kind, placeholder, inputmode: 'decimal', autocomplete: 'off' });
}

function mutationForm(id: string, title: string, mutation: string, inputType: string, fields: HTMLElement[], prepare: (i: Input) => Input = (i) => i): HTMLFormElement {
  const result = h('div', { class: 'result' });
  const button = h('button', { type: 'submit' }, title);
  const form = h('form', { class: 'start', id }, h('h3', {}, title), ...fields, button, result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    result.replaceChildren();
    button.disabled = true;
    try {
      const input = prepare(inputOf(form));
      const r = await gql<Record<string, { id: string; status: string }>>(`mutation($i: ${inputType}!) { ${mutation}(input: $i) { id status } }`, { i: input });
      location.hash = `#/run/${r[mutation].id}`;
    } catch (e) {
      result.replaceChildren(errorBox((e as Error).message));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/** Shows only the tickets over the form's chosen model (a mask fits one model only). */
function ticketsFollowModel(form: HTMLFormElement, ticketSelect: HTMLSelectElement, list: TicketRow[]): void {
  const modelOf = new Map(list.map((t) => [t.id, t.model.id]));
  const modelSel = form.querySelector<HTMLSelectElement>('select[name=modelId]')!;
  const sync = () => {
    for (const o of Array.from(ticketSelect.options)) {
      const m = modelOf.get(o.value);
      o.hidden = m !== undefined && m !== modelSel.value;
      if (o.hidden) o.selected = false;
    }
  };
  modelSel.addEventListener('change', sync);
  sync();
}

export async function startView(root: HTMLElement): Promise<void> {
  const [{ models, tasks }, ts] = await Promise.all([modelsAndTasks(), tickets()]);
  const modelOpts = models.map((m): [string, string] => [m.id, `${m.name} (${m.source.toLowerCase()})`]);
  const taskOpts = tasks.map((t): [string, string] => [t.id, `${t.name} (${t.kind})`]);
  const down = tasks.find((t) => t.kind !== 'PRETRAIN')?.id;
  const modeSel = () => select('trainingMode', [['', 'STANDARD (default)'], ['ADVERSARIAL', 'ADVERSARIAL']]);
  const ticketOpts = (list: TicketRow[]) => list.map((t): [string, string] => [t.id, ticketLabel(t)]);

  const prune = mutationForm('prune-form', 'Start pruning', 'startPruning', 'PruningInput', [
    field('model', select('modelId', modelOpts)),
    field('task', select('taskId', taskOpts, down)),
    field('method', select('method', [['IMP', 'IMP (iterative, rewinding)'], ['ONE_SHOT', 'ONE_SHOT'], ['RANDOM', 'RANDOM (baseline)']])),
    field('sparsities', num('sparsities', 'floats', '0.1, 0.2, … 0.9'), 'fractions in (0, 1), increasing for IMP'),
    field('steps per level', num('stepsPerLevel', 'int', "task's default")),
    field('rewind step', num('rewindStep', 'int', '0 = rewind to θ0')),
    field('seed', num('seed', 'int', '1')),
    field('batch size', num('batchSize', 'int', "task's default")),
    field('learning rate', num('lr', 'float', "task's default")),
    field('training', modeSel()),
    field('force a new run', h('input', { type: 'checkbox', name: 'force' })),
  ]);

  const evalTicket = select('ticketId', [['', 'dense (no mask)'], ...ticketOpts(ts)]);
  const evaluate = mutationForm('evaluate-form', 'Start evaluation', 'evaluate', 'EvaluateInput', [
    field('model', select('modelId', modelOpts)),
    field('task', select('taskId', taskOpts, down)),
    field('ticket', evalTicket),
    field('weight init', select('weightInit', [['', 'PRETRAINED (default)'], ['SHUFFLED', 'SHUFFLED'], ['RANDOM', 'RANDOM']])),
    field('training', modeSel()),
    field('steps', num('steps', 'int', "task's default")),
    field('seeds', num('seeds', 'ints', '1'), 'one evaluation per seed, e.g. 1, 2, 3'),
    field('force a new run', h('input', { type: 'checkbox', name: 'force' })),
  ]);

  const transferTickets = select('ticketIds', ticketOpts(ts), undefined, { multiple: true, size: 6 });
  const transfer = mutationForm('transfer-form', 'Start transfer', 'runTransfer', 'TransferInput', [
    field('model', select('modelId', modelOpts)),
    field('tickets', transferTickets, 'ctrl/cmd-click for several'),
    field('target tasks', h('div', { class: 'checks' }, ...tasks.map((t) => h('label', {}, h('input', { type: 'checkbox', name: 'taskIds', value: t.id, 'data-kind': 'list' }), ` ${t.name}`)))),
    field('training', modeSel()),
    field('steps', num('steps', 'int', "each task's default")),
    field('seeds', num('seeds', 'ints', '1')),
    field('force a new run', h('input', { type: 'checkbox', name: 'force' })),
  ], (i) => ({ ...i, taskIds: i.taskIds ?? [] }));

  ticketsFollowModel(evaluate, evalTicket, ts);
  ticketsFollowModel(transfer, transferTickets, ts);
  root.append(h('h2', {}, 'Start a run'),
    h('p', { class: 'muted' }, 'Empty fields take the server’s defaults. Identical requests return the existing run unless “force” is ticked.'),
    h('div', { class: 'forms' }, prune, evaluate, transfer));
  if (!models.length) root.append(errorBox('No models registered: the built-in model is created at server start-up.'));
}
