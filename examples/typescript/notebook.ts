/**
 * ticketlab from TypeScript: list tickets, follow a run live with the `graphql-ws` client, and
 * download a ticket's mask (safetensors parsed by hand). Needs `graphql-ws` and `ws` (Node 20 has
 * fetch built in).
 *
 *   npx tsc -p examples/typescript && node examples/typescript/dist/notebook.js \
 *     --url http://127.0.0.1:4000/graphql [--token T] [--follow RUN_ID | --start --model M --task T] [--out DIR]
 *
 * The last line printed is a JSON summary of what it found.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

interface Options {
  url: string;
  token?: string;
  follow?: string;
  start: boolean;
  model?: string;
  task?: string;
  steps: number;
  out: string;
}

interface RunEvent { runId: string; status: string; step: number; totalSteps: number | null; progress: number; phase: string | null; metrics: Record<string, number> | null }
interface TicketNode { id: string; method: string; level: number; sparsity: number; model: { id: string; name: string }; task: { name: string } | null; layerSparsity: Array<{ pruned: number }> }

function options(argv: string[]): Options {
  const o: Options = { url: process.env.TICKETLAB_URL ?? 'http://127.0.0.1:4000/graphql', token: process.env.TICKETLAB_TOKEN, start: false, steps: 40, out: 'out-ts' };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--start') o.start = true;
    else if (['--url', '--token', '--follow', '--model', '--task', '--steps', '--out'].includes(k) && v !== undefined) {
      const key = k.slice(2) as 'url' | 'token' | 'follow' | 'model' | 'task' | 'out' | 'steps';
      if (key === 'steps') o.steps = Number(v);
      else o[key] = v;
      i++;
    } else throw new Error(`unknown argument ${k}`);
  }
  return o;
}

async function main(o: Options): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) };
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await fetch(o.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    if (body.errors?.length) throw new Error(`${body.errors[0].message} (${body.errors[0].extensions?.code})`);
    return body.data as T;
  };
  const summary: Record<string, unknown> = {};

  // 1. Tickets, 100 per page.
  const tickets: TicketNode[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { tickets: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: TicketNode }> } } = await gql(
      `query($after: String) { tickets(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor }
         edges { node { id method level sparsity model { id name } task { name } layerSparsity { pruned } } } } }`, { after });
    tickets.push(...page.tickets.edges.map((e) => e.node));
    summary.ticketsTotal = page.tickets.totalCount;
    if (!page.tickets.pageInfo.hasNextPage) break;
    after = page.tickets.pageInfo.endCursor;
  }
  console.table(tickets.slice(0, 10).map((t) => ({ id: t.id.slice(0, 8), model: t.model.name, task: t.task?.name, method: t.method, level: t.level, sparsity: t.sparsity.toFixed(4) })));
  summary.tickets = tickets.length;

  // 2. Follow a run: subscribe first, then start it (or read where it is), so no event is lost.
  if (o.follow || o.start) {
    const client = createClient({ url: o.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: o.token ? { authorization: `Bearer ${o.token}` } : {} });
    const events: RunEvent[] = [];
    let runId = o.follow ?? null;
    let done!: (status: string) => void;
    let failed!: (e: unknown) => void;
    const ended = new Promise<string>((resolve, reject) => ((done = resolve), (failed = reject)));
    const FINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
    const unsubscribe = client.subscribe<{ runEvents: RunEvent }>(
      { query: 'subscription($id: ID) { runEvents(runId: $id) { runId status step totalSteps progress phase metrics } }', variables: { id: runId } },
      {
        next: ({ data }) => {
          const e = data?.runEvents;
          if (!e || e.runId !== runId) return;
          events.push(e);
          console.log(`  ${e.status.padEnd(9)} ${(100 * e.progress).toFixed(1).padStart(5)}%  step ${e.step}/${e.totalSteps ?? '?'}  ${e.metrics?.loss !== undefined ? `loss ${e.metrics.loss.toFixed(4)}  ` : ''}${e.phase ?? ''}`);
          if (FINAL.includes(e.status)) done(e.status);
        },
        error: failed,
        complete: () => undefined,
      },
    );
    await new Promise((r) => setTimeout(r, 300)); // the server registers the subscription
    if (o.start) {
      const catalog = await gql<{ models: Array<{ id: string; name: string }>; tasks: Array<{ id: string; name: string }> }>('{ models { id name } tasks { id name } }');
      const model = catalog.models.find((m) => o.model === m.id || o.model === m.name) ?? catalog.models[0];
      const task = catalog.tasks.find((t) => o.task === t.id || o.task === t.name) ?? catalog.tasks[0];
      const r = await gql<{ startPruning: { id: string } }>('mutation($i: PruningInput!) { startPruning(input: $i) { id } }', {
        i: { modelId: model.id, taskId: task.id, sparsities: [0.3, 0.5], stepsPerLevel: o.steps, force: true },
      });
      runId = r.startPruning.id;
      console.log(`started run ${runId}`);
    }
    const now = await gql<{ run: { status: string } }>('query($id: ID!) { run(id: $id) { status } }', { id: runId });
    if (FINAL.includes(now.run.status)) done(now.run.status);
    const status = await ended;
    unsubscribe();
    await client.dispose();
    summary.live = { run: runId, status, events: events.length, statuses: [...new Set(events.map((e) => e.status))] };
  }

  // 3. The mask of the sparsest ticket: one U8 0/1 tensor per prunable weight.
  const ticket = [...tickets].sort((a, b) => b.sparsity - a.sparsity)[0];
  if (ticket) {
    const base = o.url.replace(/\/graphql$/, '');
    const res = await fetch(`${base}/export/tickets/${ticket.id}/mask.safetensors`, { headers });
    if (!res.ok) throw new Error(`mask download: HTTP ${res.status}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    fs.mkdirSync(o.out, { recursive: true });
    fs.writeFileSync(path.join(o.out, `${ticket.id}.safetensors`), bytes);
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { data_offsets: [number, number] } | Record<string, string>>;
    let zeros = 0;
    let tensors = 0;
    for (const [name, t] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const [a, b] = (t as { data_offsets: [number, number] }).data_offsets;
      for (const v of bytes.subarray(8 + n + a, 8 + n + b)) zeros += v === 0 ? 1 : 0;
      tensors++;
    }
    const expected = ticket.layerSparsity.reduce((s, l) => s + l.pruned, 0);
    console.log(`ticket ${ticket.id}: sparsity ${ticket.sparsity.toFixed(4)}, ${tensors} tensors, ${zeros} pruned weights (API says ${expected})`);
    summary.mask = { ticket: ticket.id, zeros, expected, tensors };
  }
  return summary;
}

if (require.main === module) {
  main(options(process.argv.slice(2))).then(
    (s) => console.log(JSON.stringify(s)),
    (err: unknown) => {
      console.error(`error: ${err instanceof Error ? err.message : JSON.stringify(err)}`);
      process.exit(1);
    },
  );
}

export { main, options };
