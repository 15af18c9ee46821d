/** `ticketlab runs`: the most recent runs as a table. */
import { int, oneOf, type Parsed } from './args';
import { usage } from './errors';
import { defineCommand } from './define';
import { gql } from './http';
import { age, formatTable } from './table';

const RUNS = `query($f: RunFilter, $n: Int) { runs(filter: $f, first: $n) { totalCount edges { node {
  id kind status progress step totalSteps phase createdAt finishedAt error params } } } }`;

interface RunRow {
  id: string;
  kind: string;
  status: string;
  progress: number;
  step: number;
  totalSteps: number | null;
  phase: string | null;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
  params: Record<string, unknown>;
}

const STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
const KINDS = ['PRETRAIN', 'PRUNE', 'EVALUATE', 'TRANSFER'] as const;

function filter(p: Parsed): Record<string, string> {
  const f: Record<string, string> = {};
  const status = oneOf(p, 'status', STATUSES);
  const kind = oneOf(p, 'kind', KINDS);
  if (status) f.status = status;
  if (kind) f.kind = kind;
  return f;
}

/** A short description of what the run does, from its canonical params. */
function what(r: RunRow): string {
  const p = r.params;
  const bits = [
    p.method,
    p.name,
    Array.isArray(p.sparsities) ? `${p.sparsities.length} sparsities` : null,
    p.ticketId ? 'ticket' : r.kind === 'EVALUATE' ? 'dense' : null,
  ];
  return bits.filter((b) => typeof b === 'string').join(' ');
}

export const command = defineCommand({
  name: 'runs',
  summary: 'recent runs as a table (newest first)',
  help: `Usage: ticketlab runs [--status S] [--kind K] [--first N] [--json]

  --status S     only runs in this status: ${STATUSES.join(', ')}
  --kind K       only runs of this kind: ${KINDS.join(', ')}
  --first N      how many (default 20, at most 100)
  --json         print the runs as JSON`,
  options: {
    status: { type: 'string' },
    kind: { type: 'string' },
    first: { type: 'string', short: 'n' },
    json: { type: 'boolean' },
  },
  maxPositionals: 0,
  async run(p, ep) {
    const first = int(p, 'first', 1) ?? 20;
    if (first > 100) throw usage('--first must be at most 100');
    const d = await gql<{ runs: { totalCount: number; edges: Array<{ node: RunRow }> } }>(ep, RUNS, {
      f: filter(p),
      n: first,
    });
    const rows = d.runs.edges.map((e) => e.node);
    if (p.values.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    if (!rows.length) {
      process.stdout.write('no runs\n');
      return 0;
    }
    const now = Date.now();
    const table = rows.map((r) => [
      r.id,
      r.kind,
      r.status,
      `${(r.progress * 100).toFixed(0)}%`,
      `${r.step}/${r.totalSteps ?? '?'}`,
      age(r.createdAt, now),
      r.status === 'FAILED' && r.error ? `error: ${r.error.slice(0, 60)}` : (r.phase ?? what(r)),
    ]);
    process.stdout.write(formatTable(['ID', 'KIND', 'STATUS', 'DONE', 'STEPS', 'CREATED', 'DETAIL'], table));
    if (d.runs.totalCount > rows.length)
      process.stdout.write(`(${rows.length} of ${d.runs.totalCount}; --first N for more)\n`);
    return 0;
  },
});
