/** `ticketlab export mask|evaluations|metrics|weights`: the server's export routes to a file or stdout. */
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import type { ReadableStream } from 'stream/web';
import { flag, oneOf, str, type Endpoint, type Parsed } from './args';
import { CliError, EXIT, usage } from './errors';
import { defineCommand } from './define';
import { download } from './http';
import { resolveModel, resolveTask } from './lookup';

const INITS = ['PRETRAINED', 'SHUFFLED', 'RANDOM'] as const;
const MODES = ['STANDARD', 'ADVERSARIAL'] as const;

/** Streams the body to `out` ("-" = stdout) through a temp file, so a failed download leaves no partial file. */
async function save(res: Response, out: string, binary: boolean): Promise<void> {
  const body = Readable.fromWeb(res.body as unknown as ReadableStream<Uint8Array>);
  if (out === '-') {
    if (binary && process.stdout.isTTY) throw usage('refusing to write a binary file to the terminal; give -o FILE');
    await pipeline(body, process.stdout);
    return;
  }
  const tmp = `${out}.part`;
  try {
    await pipeline(body, fs.createWriteStream(tmp));
    fs.renameSync(tmp, out);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code && /^E(ACCES|NOENT|ROFS|ISDIR|NOTDIR|PERM|NOSPC)$/.test(code))
      throw new CliError(`cannot write ${out}: ${code}`, EXIT.CANT_CREATE);
    throw new CliError(`download into ${out} failed: ${(err as Error).message}`, EXIT.UNAVAILABLE);
  }
  process.stderr.write(`wrote ${fs.statSync(out).size} bytes to ${out}\n`);
}

async function evaluationsQuery(p: Parsed, ep: Endpoint): Promise<string> {
  const q = new URLSearchParams();
  const model = str(p, 'model');
  const task = str(p, 'task');
  if (model) q.set('modelId', (await resolveModel(ep, model)).id);
  if (task) q.set('taskId', (await resolveTask(ep, task)).id);
  for (const [opt, key] of [
    ['ticket', 'ticketId'],
    ['run', 'runId'],
  ] as const) {
    const v = str(p, opt);
    if (v) q.set(key, v);
  }
  const init = oneOf(p, 'init', INITS);
  const mode = oneOf(p, 'mode', MODES);
  if (init) q.set('weightInit', init);
  if (mode) q.set('trainingMode', mode);
  if (flag(p, 'dense') && flag(p, 'masked')) throw usage('give --dense or --masked, not both');
  if (flag(p, 'dense')) q.set('dense', 'true');
  if (flag(p, 'masked')) q.set('dense', 'false');
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const command = defineCommand({
  name: 'export',
  summary: 'download a mask (safetensors), evaluations (CSV), run metrics (CSV) or weights',
  help: `Usage:
  ticketlab export mask <ticketId> [-o FILE]      mask as safetensors (default ticket-<id>-mask.safetensors)
  ticketlab export weights <model> [-o FILE]      the model's θ0 as safetensors (default <name>.safetensors)
  ticketlab export evaluations [filters] [-o FILE] evaluations as CSV (default stdout)
      --model M  --task T  --ticket ID  --run ID  --init I  --mode M  --dense | --masked
  ticketlab export metrics <runId> [--name N]... [-o FILE]  a run's metric history as CSV (default stdout)

  -o, --output FILE  where to write; "-" is stdout`,
  options: {
    output: { type: 'string', short: 'o' },
    model: { type: 'string' },
    task: { type: 'string' },
    ticket: { type: 'string' },
    run: { type: 'string' },
    init: { type: 'string' },
    mode: { type: 'string' },
    dense: { type: 'boolean' },
    masked: { type: 'boolean' },
    name: { type: 'string', multiple: true },
  },
  maxPositionals: 2,
  async run(p, ep) {
    const [what, id] = p.positionals;
    const out = str(p, 'output');
    const needId = (noun: string) => {
      if (!id) throw usage(`which ${noun}? ticketlab export ${what} <${noun}>`);
      return encodeURIComponent(id);
    };
    switch (what) {
      case 'mask': {
        const res = await download(ep, `/export/tickets/${needId('ticketId')}/mask.safetensors`);
        await save(res, out ?? `ticket-${id}-mask.safetensors`, true);
        return 0;
      }
      case 'weights': {
        needId('model');
        const model = await resolveModel(ep, id);
        const res = await download(ep, `/export/models/${model.id}/weights.safetensors`);
        await save(res, out ?? `${path.basename(model.name)}.safetensors`, true);
        return 0;
      }
      case 'evaluations': {
        if (id) throw usage(`unexpected argument "${id}"; filter with --model, --task, --ticket, --run`);
        const res = await download(ep, `/export/evaluations.csv${await evaluationsQuery(p, ep)}`);
        await save(res, out ?? '-', false);
        return 0;
      }
      case 'metrics': {
        const names = (p.values.name as string[] | undefined) ?? [];
        const q = names.length ? `?${names.map((n) => `name=${encodeURIComponent(n)}`).join('&')}` : '';
        const res = await download(ep, `/export/runs/${needId('runId')}/metrics.csv${q}`);
        await save(res, out ?? '-', false);
        return 0;
      }
      default:
        throw usage(
          what
            ? `unknown export "${what}"; one of mask, weights, evaluations, metrics`
            : 'what to export? mask, weights, evaluations or metrics',
        );
    }
  },
});
