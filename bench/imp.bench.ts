/**
 * Opt-in row (TICKETLAB_BENCH_IMP=1; several minutes): a whole 10-level IMP run (dense level 0
 * plus the default schedule 0.1 … 0.9) on a built-in task (TICKETLAB_BENCH_IMP_TASK, default
 * VQA) with the task's default budget, from the shipped θ0, rewinding to θ0. There is no
 * PyTorch counterpart of the whole engine; the row's reference is the budget of 10
 * minutes on 2 cores, so the ratio is the fraction of that budget used.
 */
import * as os from 'os';
import { loadBuiltinModel } from '../src/core/model/builtin';
import { getTask } from '../src/core/tasks/registry';
import { TASK_KINDS, type TaskKind } from '../src/core/data';
import { runImp, taskData } from '../src/core/lottery';
import type { BenchRow } from './row';

const BUDGET_MS = 10 * 60 * 1000;

export async function benchImp(): Promise<BenchRow[]> {
  if (process.env.TICKETLAB_BENCH_IMP !== '1') return [];
  const kind = (process.env.TICKETLAB_BENCH_IMP_TASK ?? 'VQA').toUpperCase() as TaskKind;
  if (!TASK_KINDS.includes(kind)) throw new Error(`TICKETLAB_BENCH_IMP_TASK must be one of ${TASK_KINDS.join(', ')}`);
  const model = loadBuiltinModel();
  const task = getTask(kind);
  const load0 = os.loadavg()[0].toFixed(1);
  const t0 = Date.now();
  const data = taskData(kind, model.config, { seed: 1 });
  const levelMs: number[] = [];
  let last = t0;
  const results = runImp({
    theta0: model.weights,
    config: model.config,
    task,
    data,
    seed: 1,
    headWeights: kind === 'PRETRAIN' && model.pretrainHead.size ? model.pretrainHead : undefined,
    onLevel: () => {
      const t = Date.now();
      levelMs.push(t - last);
      last = t;
    },
  });
  const total = Date.now() - t0;
  const final = results[results.length - 1];
  const perLevel = levelMs.map((ms) => (ms / 1000).toFixed(0)).join('/');
  return [
    {
      row: `imp 10 levels ${kind.toLowerCase()}`,
      oursMs: total,
      referenceMs: BUDGET_MS,
      note:
        `${results.length} levels x ${task.defaults.steps} steps (batch ${task.defaults.batchSize}), train ${data.train.length}, ` +
        `final sparsity ${final.sparsity.toFixed(2)}, seconds per level ${perLevel}; reference = the 10-minute budget, not PyTorch; ` +
        `load ${load0}->${os.loadavg()[0].toFixed(1)}`,
    },
  ];
}
