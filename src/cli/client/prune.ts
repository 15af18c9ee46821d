/** `ticketlab prune`: startPruning (one run per seed), by model and task name or id. */
import { flag, int, num, numList, oneOf, required, type Parsed } from './args';
import { usage } from './errors';
import { defineCommand } from './define';
import { resolveModel, resolveTask } from './lookup';
import { startRuns } from './start';

const METHODS = ['IMP', 'ONE_SHOT', 'RANDOM'] as const;
const MODES = ['STANDARD', 'ADVERSARIAL'] as const;

const START = 'mutation($i: PruningInput!) { startPruning(input: $i) { id kind status } }';

/** IMP's geometric schedule: each level prunes `rate` of the weights left, s_k = 1 − (1 − rate)^k. */
export function geometricSchedule(levels: number, rate: number): number[] {
  return Array.from({ length: levels }, (_, k) => Number((1 - (1 - rate) ** (k + 1)).toFixed(6)));
}

function sparsities(p: Parsed): number[] | undefined {
  const list = numList(p, 'sparsities', false);
  const levels = int(p, 'levels', 1);
  const rate = num(p, 'rate');
  if (list && (levels !== undefined || rate !== undefined))
    throw usage('give either --sparsities or --levels/--rate, not both');
  if (rate !== undefined && levels === undefined) throw usage('--rate needs --levels');
  if (rate !== undefined && !(rate > 0 && rate < 1)) throw usage(`--rate must be in (0, 1), not ${rate}`);
  if (levels !== undefined) return geometricSchedule(levels, rate ?? 0.2);
  return list;
}

export const command = defineCommand({
  name: 'prune',
  summary: 'start a pruning run (IMP, ONE_SHOT or RANDOM); prints the run id',
  help: `Usage: ticketlab prune --model M --task T [options]

  --model M          model name or id (e.g. mini-uniter)
  --task T           task name, kind or id (e.g. synthetic-vqa, vqa)
  --method X         IMP (default), ONE_SHOT or RANDOM
  --sparsities LIST  target sparsities, e.g. 0.2,0.4,0.6 (server default 0.1 … 0.9)
  --levels N         IMP schedule of N levels, each pruning --rate of the weights left
  --rate R           fraction pruned per level with --levels (default 0.2)
  --steps N          fine-tune steps per level / per sparsity (default the task's)
  --seed N           seed (default 1); --seeds 1,2,3 starts one run per seed
  --rewind-step N    IMP rewinding step (default 0 = θ0)
  --mode M           STANDARD (default) or ADVERSARIAL fine-tuning
  --lr X             peak learning rate;  --batch-size N
  --force            start a new run even when an identical one exists
  --watch            follow the run(s) with a progress bar until they end`,
  options: {
    model: { type: 'string' },
    task: { type: 'string' },
    method: { type: 'string' },
    sparsities: { type: 'string' },
    levels: { type: 'string' },
    rate: { type: 'string' },
    steps: { type: 'string' },
    seed: { type: 'string' },
    seeds: { type: 'string' },
    'rewind-step': { type: 'string' },
    mode: { type: 'string' },
    lr: { type: 'string' },
    'batch-size': { type: 'string' },
    force: { type: 'boolean' },
    watch: { type: 'boolean', short: 'w' },
  },
  maxPositionals: 0,
  async run(p, ep) {
    const modelArg = required(p, 'model');
    const taskArg = required(p, 'task');
    const method = oneOf(p, 'method', METHODS);
    const input: Record<string, unknown> = {
      method,
      sparsities: sparsities(p),
      stepsPerLevel: int(p, 'steps', 1),
      rewindStep: int(p, 'rewind-step', 0),
      trainingMode: oneOf(p, 'mode', MODES),
      lr: num(p, 'lr'),
      batchSize: int(p, 'batch-size', 1),
      force: flag(p, 'force') || undefined,
    };
    const seed = int(p, 'seed', 0);
    const seeds = numList(p, 'seeds', true);
    if (seed !== undefined && seeds) throw usage('give either --seed or --seeds, not both');
    const [model, task] = [await resolveModel(ep, modelArg), await resolveTask(ep, taskArg)];
    const base = { ...input, modelId: model.id, taskId: task.id };
    const inputs = (seeds ?? [seed]).map(
      (s) => JSON.parse(JSON.stringify({ ...base, seed: s })) as Record<string, unknown>,
    );
    const describe = (i: Record<string, unknown>) =>
      `${i.method ?? 'IMP'} of ${model.name} on ${task.name}` +
      `${Array.isArray(i.sparsities) ? `, sparsities ${i.sparsities.join(', ')}` : ''}${i.seed !== undefined ? `, seed ${i.seed}` : ''}`;
    return startRuns(ep, START, 'startPruning', inputs, describe, flag(p, 'watch'));
  },
});
