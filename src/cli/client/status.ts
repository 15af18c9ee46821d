/** `ticketlab status`: is the server up, what it computes on, and its queue. */
import { defineCommand } from './define';
import { gql } from './http';

const STATUS = `{ health compute { backend device gpu kernels }
  models { id } tasks { id }
  queued: runs(filter: { status: QUEUED }, first: 1) { totalCount }
  running: runs(filter: { status: RUNNING }, first: 1) { totalCount }
  succeeded: runs(filter: { status: SUCCEEDED }, first: 1) { totalCount }
  failed: runs(filter: { status: FAILED }, first: 1) { totalCount }
  cancelled: runs(filter: { status: CANCELLED }, first: 1) { totalCount } }`;

interface Count {
  totalCount: number;
}
interface StatusData {
  health: string;
  compute: { backend: string; device: string | null; gpu: boolean; kernels: string | null };
  models: unknown[];
  tasks: unknown[];
  queued: Count;
  running: Count;
  succeeded: Count;
  failed: Count;
  cancelled: Count;
}

export const command = defineCommand({
  name: 'status',
  summary: 'server health, compute backend and run queue',
  help: `Usage: ticketlab status [--json]

  --json         print the answer as JSON`,
  options: { json: { type: 'boolean' } },
  maxPositionals: 0,
  async run(p, ep) {
    const d = await gql<StatusData>(ep, STATUS);
    if (p.values.json) {
      process.stdout.write(
        `${JSON.stringify({ url: ep.url, ...d, models: d.models.length, tasks: d.tasks.length }, null, 2)}\n`,
      );
      return 0;
    }
    const c = d.compute;
    const lines = [
      ['server', `${ep.url}  health ${d.health}`],
      [
        'compute',
        `${c.backend}${c.device ? ` (${c.device})` : ''}, kernels ${c.kernels ?? '?'}, gpu ${c.gpu ? 'yes' : 'no'}`,
      ],
      ['queue', `${d.queued.totalCount} queued, ${d.running.totalCount} running`],
      [
        'finished',
        `${d.succeeded.totalCount} succeeded, ${d.failed.totalCount} failed, ${d.cancelled.totalCount} cancelled`,
      ],
      ['catalog', `${d.models.length} models, ${d.tasks.length} tasks`],
    ];
    process.stdout.write(lines.map(([k, v]) => `${k.padEnd(9)} ${v}\n`).join(''));
    return d.health === 'ok' ? 0 : 3;
  },
});
