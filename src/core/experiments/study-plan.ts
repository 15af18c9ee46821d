/**
 * A study as a plan of runs with dependencies (pure). Each step is one run request in the run
 * kinds' own params (core/experiments/params.ts); values that only exist once an earlier step has
 * run are references, resolved when the step is launched:
 *  - `{ $ticket: { step, sparsity } }`: the ticket that step's IMP run found at that sparsity;
 *  - `{ $baselineSparsity: taskId }`: the task's relaxed sparsity from the study's IMP runs (the
 *    highest sparsity whose mean score over seeds is ≥ threshold × the dense mean), or, when no
 *    sparsity qualifies, the lowest of the schedule — Table 1 compares the baselines there.
 * Every step goes through the run identity rule, so stored results are reused, not recomputed.
 */
import type { Json } from './identity';
import type { StudyParams } from './study';

export type StepRole =
  'imp' | 'pretrain-imp' | 'baseline' | 'dense' | 'pretrain-transfer' | 'adversarial' | 'task-transfer';

export interface PlannedStep {
  key: string;
  kind: 'PRUNE' | 'EVALUATE';
  role: StepRole;
  request: Record<string, Json>;
  dependsOn: string[];
}

export type TicketRef = { $ticket: { step: string; sparsity: number | { $baselineSparsity: string } } };
export type SparsityRef = { $baselineSparsity: string };

export const impKey = (taskId: string, seed: number) => `imp/${taskId}/${seed}`;
const BASELINE_KEYS = {
  RANDOM_PRUNING: 'random',
  ONE_SHOT: 'one-shot',
  SHUFFLED_WEIGHTS: 'shuffled',
  RANDOM_INIT: 'random-init',
  EARLY_BIRD: 'early-bird',
} as const;
export const baselineKey = (b: keyof typeof BASELINE_KEYS, taskId: string, seed: number) =>
  `${BASELINE_KEYS[b]}/${taskId}/${seed}`;

/**
 * `defaultSteps(taskId)` is the task's own fine-tune budget; it decides whether a transfer's
 * dense baseline is the IMP run's level 0 (same steps) or needs a dense run of its own.
 */
export function planStudy(p: StudyParams, defaultSteps: (taskId: string) => number): PlannedStep[] {
  const steps: PlannedStep[] = [];
  const add = (s: PlannedStep) => steps.push(s);
  const prune = (taskId: string, seed: number, extra: Record<string, Json>) => ({
    modelId: p.modelId,
    taskId,
    seed,
    ...(p.stepsPerLevel === null ? {} : { stepsPerLevel: p.stepsPerLevel }),
    ...extra,
  });
  const retraining: Record<string, Json> = p.retraining ? { retraining: p.retraining } : {};
  const evaluate = (taskId: string, seed: number, budget: number | null, extra: Record<string, Json>) => ({
    modelId: p.modelId,
    taskId,
    seeds: [seed],
    ...(budget === null ? {} : { steps: budget }),
    ...extra,
  });
  for (const t of p.taskIds)
    for (const k of p.seeds)
      add({
        key: impKey(t, k),
        kind: 'PRUNE',
        role: 'imp',
        request: prune(t, k, { method: 'IMP', sparsities: p.sparsities, ...retraining }),
        dependsOn: [],
      });
  for (const t of p.taskIds) {
    const allImp = p.seeds.map((k) => impKey(t, k));
    const at: SparsityRef = { $baselineSparsity: t };
    for (const k of p.seeds)
      for (const b of p.baselines) {
        const key = baselineKey(b, t, k);
        if (b === 'RANDOM_PRUNING' || b === 'ONE_SHOT' || b === 'EARLY_BIRD') {
          const method = b === 'RANDOM_PRUNING' ? 'RANDOM' : b;
          add({
            key,
            kind: 'PRUNE',
            role: 'baseline',
            request: prune(t, k, { method, sparsities: [at] }),
            dependsOn: allImp,
          });
        } else {
          const ticketId: TicketRef = { $ticket: { step: impKey(t, k), sparsity: at } };
          const weightInit = b === 'SHUFFLED_WEIGHTS' ? 'SHUFFLED' : 'RANDOM';
          add({
            key,
            kind: 'EVALUATE',
            role: 'baseline',
            request: evaluate(t, k, p.stepsPerLevel, { ticketId, weightInit }),
            dependsOn: allImp,
          });
        }
      }
  }
  // The dense score a transfer onto task t is compared with: IMP's level 0 when the budgets match.
  const denseStep = (t: string, k: number): string => {
    const impSteps = p.stepsPerLevel ?? defaultSteps(t);
    const evalSteps = p.steps ?? defaultSteps(t);
    if (impSteps === evalSteps && p.taskIds.includes(t)) return impKey(t, k);
    const key = `dense/${t}/${k}`;
    if (!steps.some((s) => s.key === key))
      add({ key, kind: 'EVALUATE', role: 'dense', request: evaluate(t, k, p.steps, {}), dependsOn: [] });
    return key;
  };
  if (p.pretrainingTicket && p.pretrainTaskId) {
    const P = p.pretrainTaskId;
    for (const k of p.seeds)
      add({
        key: impKey(P, k),
        kind: 'PRUNE',
        role: 'pretrain-imp',
        request: prune(P, k, { method: 'IMP', sparsities: p.sparsities, ...retraining }),
        dependsOn: [],
      });
    const standard = [...new Set([...p.transferSparsities, ...p.adversarialSparsities])].sort((a, b) => a - b);
    for (const s of standard)
      for (const t of p.taskIds)
        for (const k of p.seeds)
          add({
            key: `pretrain-transfer/${s}/${t}/${k}`,
            kind: 'EVALUATE',
            role: 'pretrain-transfer',
            request: evaluate(t, k, p.steps, { ticketId: { $ticket: { step: impKey(P, k), sparsity: s } } }),
            dependsOn: [impKey(P, k), denseStep(t, k)],
          });
    for (const s of p.adversarialSparsities)
      for (const t of p.taskIds)
        for (const k of p.seeds)
          add({
            key: `adversarial/${s}/${t}/${k}`,
            kind: 'EVALUATE',
            role: 'adversarial',
            request: evaluate(t, k, p.steps, {
              ticketId: { $ticket: { step: impKey(P, k), sparsity: s } },
              trainingMode: 'ADVERSARIAL',
            }),
            dependsOn: [impKey(P, k), denseStep(t, k)],
          });
  }
  if (p.taskTransfer && p.taskIds.length > 1)
    for (const a of p.taskIds)
      for (const b of p.taskIds)
        for (const k of p.seeds)
          if (a !== b)
            add({
              key: `task-transfer/${a}/${b}/${k}`,
              kind: 'EVALUATE',
              role: 'task-transfer',
              request: evaluate(b, k, p.steps, {
                ticketId: { $ticket: { step: impKey(a, k), sparsity: p.taskTransferSparsity } },
              }),
              dependsOn: [impKey(a, k), denseStep(b, k)],
            });
  return steps;
}
