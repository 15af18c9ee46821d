/** Ticket list, and a ticket's page: per-layer sparsity bars, evaluations, mask overlap with another ticket. */
import { authHeaders, gql } from '../api';
import { errorBox, fmt, h, pct, s, select, shortId, when } from '../dom';
import { ticketLabel, tickets, type TicketRow } from '../data';

interface Layer { name: string; total: number; pruned: number; sparsity: number }
interface TicketDetail extends TicketRow {
  maskUrl: string; maskBits: number; parent: { id: string } | null; run: { id: string } | null; layerSparsity: Layer[];
  evaluations: Array<{ id: string; score: number; relativeScore: number | null; seed: number; weightInit: string; trainingMode: string; steps: number; task: { name: string } }>;
}

export async function ticketsView(root: HTMLElement): Promise<void> {
  const ts = await tickets();
  root.append(h('h2', {}, 'Tickets'), h('table', {},
    h('thead', {}, h('tr', {}, ...['ticket', 'model', 'task', 'method', 'level', 'sparsity', 'seed', 'created'].map((c) => h('th', {}, c)))),
    h('tbody', {}, ...ts.map((t) => h('tr', {}, h('td', {}, h('a', { href: `#/ticket/${t.id}` }, shortId(t.id))), h('td', {}, t.model.name), h('td', {}, t.task?.name ?? ''),
      h('td', {}, t.method), h('td', {}, t.level), h('td', {}, fmt(t.sparsity, 4)), h('td', {}, t.seed ?? ''), h('td', {}, when(t.createdAt)))))));
  if (!ts.length) root.append(h('p', {}, 'No tickets yet: start a pruning run.'));
}

/** Horizontal bars, one per prunable matrix, length = its sparsity. */
export function layerBars(layers: Layer[]): SVGElement {
  const rowH = 16;
  const [lw, bw] = [330, 260];
  const svg = s('svg', { viewBox: `0 0 ${lw + bw + 70} ${layers.length * rowH + 8}`, class: 'chart layers', id: 'layer-bars' });
  layers.forEach((l, i) => {
    const y = 4 + i * rowH;
    svg.append(
      s('text', { x: lw - 6, y: y + 11, 'text-anchor': 'end' }, l.name.replace(/^uniter\./, '')),
      s('rect', { class: 'track', x: lw, y: y + 2, width: bw, height: rowH - 5 }),
      s('rect', { class: 'bar', x: lw, y: y + 2, width: (l.sparsity * bw).toFixed(2), height: rowH - 5, 'data-name': l.name, 'data-sparsity': l.sparsity },
        s('title', {}, `${l.name}: ${l.pruned} of ${l.total} pruned`)),
      s('text', { x: lw + bw + 6, y: y + 11 }, pct(l.sparsity)),
    );
  });
  return svg;
}

async function download(url: string, name: string): Promise<void> {
  const res = await fetch(url, { headers: authHeaders() });
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  const a = h('a', { href: URL.createObjectURL(await res.blob()), download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export async function ticketView(root: HTMLElement, id: string): Promise<void> {
  const r = await gql<{ ticket: TicketDetail | null }>(`query($id: ID!) { ticket(id: $id) { id method sparsity level seed createdAt maskUrl maskBits
      model { id name } task { id name } parent { id } run { id } layerSparsity { name total pruned sparsity }
      evaluations { id score relativeScore seed weightInit trainingMode steps task { name } } } }`, { id });
  const t = r.ticket;
  if (!t) { root.append(errorBox(`no ticket ${id}`)); return; }
  const dl = h('button', { type: 'button' }, 'download mask (safetensors)');
  dl.addEventListener('click', () => download(t.maskUrl, `ticket-${shortId(t.id)}-mask.safetensors`).catch((e: Error) => root.append(errorBox(e.message))));
  root.append(
    h('h2', {}, `Ticket ${shortId(t.id)}`),
    h('p', {}, `${t.method} on ${t.task?.name ?? '?'} over ${t.model.name}, level ${t.level}, sparsity `, h('strong', { id: 'ticket-sparsity' }, fmt(t.sparsity, 6)),
      ` (${t.maskBits} mask bits)`, t.seed !== null ? `, seed ${t.seed}` : '', '. ',
      t.run ? h('a', { href: `#/run/${t.run.id}` }, 'run') : '', t.parent ? h('span', {}, ' · ', h('a', { href: `#/ticket/${t.parent.id}` }, 'parent ticket')) : '', ' ', dl),
    h('h3', {}, 'Sparsity per layer'), layerBars(t.layerSparsity),
  );
  const others = (await tickets({ modelId: t.model.id })).filter((o) => o.id !== t.id);
  const out = h('output', { id: 'overlap-result' });
  const pick = select('other', [['', '— choose a ticket —'], ...others.map((o): [string, string] => [o.id, ticketLabel(o)])], '', { id: 'overlap-other' });
  pick.addEventListener('change', async () => {
    out.replaceChildren();
    if (!pick.value) return;
    try {
      const m = await gql<{ maskOverlap: number }>('query($a: ID!, $b: ID!) { maskOverlap(a: $a, b: $b) }', { a: t.id, b: pick.value });
      out.dataset.value = String(m.maskOverlap);
      out.replaceChildren(`Jaccard overlap of kept weights: ${fmt(m.maskOverlap, 4)}`);
    } catch (e) {
      out.replaceChildren(errorBox((e as Error).message));
    }
  });
  root.append(h('h3', {}, 'Mask overlap'), h('p', {}, pick, ' ', out));
  root.append(h('h3', {}, 'Evaluations'), t.evaluations.length ? h('table', {},
    h('thead', {}, h('tr', {}, ...['task', 'init', 'mode', 'steps', 'seed', 'score', 'relative'].map((c) => h('th', {}, c)))),
    h('tbody', {}, ...t.evaluations.map((e) => h('tr', {}, h('td', {}, e.task.name), h('td', {}, e.weightInit), h('td', {}, e.trainingMode), h('td', {}, e.steps), h('td', {}, e.seed), h('td', {}, fmt(e.score, 4)), h('td', {}, fmt(e.relativeScore))))))
    : h('p', {}, 'Not evaluated yet.'));
}
