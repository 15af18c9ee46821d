/** What a run produced, printed when `watch` sees it end. */
import type { Endpoint } from './args';
import { gql } from './http';
import type { Output } from './progress';

interface Summary {
  kind: string;
  status: string;
  error: string | null;
  step: number;
  totalSteps: number | null;
  tickets: Array<{
    id: string;
    level: number;
    sparsity: number;
    method: string;
    evaluations: Array<{ score: number; task: { name: string } }>;
  }>;
  evaluations: Array<{
    id: string;
    seed: number;
    score: number;
    relativeScore: number | null;
    task: { name: string };
    ticket: { id: string } | null;
  }>;
  children: Array<{ id: string; status: string }>;
}

const SUMMARY = `query($id: ID!) { run(id: $id) { kind status error step totalSteps
  tickets { id level sparsity method evaluations { score task { name } } }
  evaluations { id seed score relativeScore task { name } ticket { id } }
  children { id status } } }`;

const f4 = (x: number) => x.toFixed(4);

export async function printSummary(ep: Endpoint, runId: string, out: Output): Promise<void> {
  const d = await gql<{ run: Summary | null }>(ep, SUMMARY, { id: runId });
  const r = d.run;
  if (!r) return;
  if (r.error) out.write(`error: ${r.error}\n`);
  if (r.tickets.length) {
    out.write(`tickets (${r.tickets.length}):\n`);
    for (const t of r.tickets) {
      const score = t.evaluations[0] ? `  score ${f4(t.evaluations[0].score)} on ${t.evaluations[0].task.name}` : '';
      out.write(`  ${t.method} level ${t.level}  sparsity ${f4(t.sparsity)}  ticket ${t.id}${score}\n`);
    }
  } else if (r.evaluations.length) {
    out.write(`evaluations (${r.evaluations.length}):\n`);
    for (const e of r.evaluations) {
      const rel = e.relativeScore === null ? '' : `  relative ${f4(e.relativeScore)}`;
      out.write(
        `  ${e.task.name} seed ${e.seed}  ${e.ticket ? `ticket ${e.ticket.id}` : 'dense'}  score ${f4(e.score)}${rel}\n`,
      );
    }
  }
  if (r.children.length) {
    const by = new Map<string, number>();
    for (const c of r.children) by.set(c.status, (by.get(c.status) ?? 0) + 1);
    out.write(`child runs: ${[...by].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', ')}\n`);
  }
}
