/**
 * PRUNE runs. IMP: one ticket per level (level 0 = the dense mask, whose evaluation is stored as
 * the dense baseline, ticket NULL). Each level's ticket, its evaluation and the checkpoint the
 * next level starts from (m_{k+1}; θ_r after level 0 when rewinding) commit in one transaction,
 * so a resumed run starts at its first unfinished level and recomputes nothing stored.
 * ONE_SHOT / RANDOM: one ticket (level 0) + evaluation per requested sparsity, same rule.
 * EARLY_BIRD: its search, stored once, then one ticket + evaluation per sparsity (prune-early-bird.ts).
 */
import { relativeScore } from '../../core/lottery';
import { getSearchMethod } from '../../core/lottery/methods/registry';
import { resolvePrune, type PruneParams, storedParams } from '../../core/experiments/params';
import type { TrainSettings } from '../compute/protocol';
import { getCheckpoint, insertEvaluation, insertTicket, putCheckpoint } from '../store';
import { forwardProgress, modelAndTask, type ModelAndTask } from './common';
import { earlyBird } from './prune-early-bird';
import { storeSingleTicket, type Resolved } from './prune-single';
import type { RunContext, RunHandler } from './types';

async function imp(ctx: RunContext, p: Resolved, mt: ModelAndTask, train: TrainSettings): Promise<void> {
  const runId = ctx.run.id;
  const L = p.sparsities.length;
  const totalSteps = (L + 1) * p.stepsPerLevel;
  const cp = await getCheckpoint(ctx.ds, runId, 'imp');
  const nextLevel = cp ? Number(cp.meta.nextLevel) : 0;
  if (nextLevel > L) return;
  const rewind = cp && p.rewindStep > 0 ? await getCheckpoint(ctx.ds, runId, 'imp-rewind') : null;
  const trained = cp && p.retrain !== 'REWIND_WEIGHTS' ? await getCheckpoint(ctx.ds, runId, 'imp-trained') : null;
  let parentId = (cp?.meta.ticketId as string | undefined) ?? null;
  let dense = (cp?.meta.denseScore as number | undefined) ?? null;
  // Compute accounting: the seconds of the levels stored so far; a level's ticket was found by the ones before it.
  let searchSeconds = (cp?.meta.searchSeconds as number | undefined) ?? 0;
  let levelStartedAt = Date.now();
  if (cp) ctx.log(`run ${runId}: resuming IMP at level ${nextLevel} of ${L}`);
  await ctx.compute(
    {
      job: 'IMP',
      rule: getSearchMethod(p.method).nextMaskRule ?? 'IMP',
      config: mt.config,
      weights: mt.weights,
      task: mt.kind,
      data: mt.data,
      train,
      schedule: p.sparsities,
      rewindStep: p.rewindStep,
      retrain: p.retrain,
      seed: p.seed,
      resume: cp
        ? {
            level: nextLevel,
            mask: new Uint8Array(cp.data!),
            rewind: rewind?.data ? new Uint8Array(rewind.data) : null,
            trained: trained?.data ? new Uint8Array(trained.data) : null,
          }
        : null,
    },
    async (m) => {
      if (m.type === 'phase' && m.phase.startsWith('level ')) levelStartedAt = m.at;
      if (forwardProgress(ctx, m)) return;
      if (m.type !== 'level') throw new Error(`unexpected ${m.type} message from an IMP computation`);
      const found = searchSeconds;
      searchSeconds += (Date.now() - levelStartedAt) / 1000;
      if (m.level === 0) dense = m.evaluation.score;
      const rel = m.level === 0 || dense === null ? null : relativeScore(m.evaluation.score, dense, mt.kind);
      parentId = await ctx.write(async (tx) => {
        const ticketId = await insertTicket(tx, {
          runId,
          modelId: p.modelId,
          taskId: p.taskId,
          method: p.method,
          level: m.level,
          sparsity: m.sparsity,
          parentId,
          seed: p.seed,
          mask: m.mask,
          maskBits: mt.prunable,
          searchSteps: m.level * p.stepsPerLevel,
          searchSeconds: found,
          retraining: p.retrain,
        });
        await insertEvaluation(tx, {
          runId,
          modelId: p.modelId,
          taskId: p.taskId,
          ticketId: m.level === 0 ? null : ticketId,
          weightInit: 'PRETRAINED',
          trainingMode: p.trainingMode,
          result: m.evaluation,
          relativeScore: rel,
        });
        await putCheckpoint(
          tx,
          runId,
          'imp',
          { nextLevel: m.nextLevel, ticketId, denseScore: dense, searchSeconds },
          m.nextMask,
        );
        if (m.rewind) await putCheckpoint(tx, runId, 'imp-rewind', {}, m.rewind);
        if (m.trained) await putCheckpoint(tx, runId, 'imp-trained', { level: m.level }, m.trained);
        return ticketId;
      });
      ctx.reporter.record('val/score', m.step, m.evaluation.score);
      ctx.reporter.record('sparsity', m.step, m.sparsity);
      if (rel !== null) ctx.reporter.record('val/relativeScore', m.step, rel);
      ctx.reporter.checkpoint(m.step, totalSteps);
    },
  );
}

async function baseline(
  ctx: RunContext,
  p: Resolved,
  mt: ModelAndTask,
  train: TrainSettings,
  method: string,
): Promise<void> {
  const runId = ctx.run.id;
  const cp = await getCheckpoint(ctx.ds, runId, 'baseline');
  const done = ((cp?.meta.done as number[] | undefined) ?? []).slice();
  const remaining = p.sparsities.filter((s) => !done.includes(s));
  if (remaining.length === 0) return;
  const steps = p.stepsPerLevel;
  const totalSteps = p.sparsities.length * steps;
  let next = 0;
  await ctx.compute(
    {
      job: 'BASELINE',
      method,
      config: mt.config,
      weights: mt.weights,
      task: mt.kind,
      data: mt.data,
      train,
      sparsities: remaining,
      seed: p.seed,
      stepOffset: done.length * steps,
      totalSteps,
    },
    async (m) => {
      if (forwardProgress(ctx, m)) return;
      if (m.type !== 'baseline') throw new Error(`unexpected ${m.type} message from a ${method} computation`);
      const requested = remaining[next++];
      // ONE_SHOT of θ0 and RANDOM fix their masks before any training: no search cost.
      await storeSingleTicket(ctx, p, mt, m, { searchSteps: 0, searchSeconds: 0, search: null }, (tx) => {
        done.push(requested);
        return putCheckpoint(tx, runId, 'baseline', { done }, null);
      });
      ctx.reporter.checkpoint(m.step, totalSteps);
    },
  );
}

export const pruneHandler: RunHandler = {
  kind: 'PRUNE',
  async execute(ctx) {
    const params = storedParams<PruneParams>(ctx.run.params);
    const mt = await modelAndTask(ctx, params.modelId, params.taskId);
    const p = resolvePrune(params, mt.kind);
    const train: TrainSettings = {
      steps: p.stepsPerLevel,
      lr: p.lr,
      batchSize: p.batchSize,
      trainingMode: p.trainingMode,
    };
    // The method's shape decides the procedure (src/core/lottery/methods).
    const shape = getSearchMethod(p.method).shape;
    if (shape === 'levels') await imp(ctx, p, mt, train);
    else if (shape === 'early-bird') await earlyBird(ctx, p, mt, train);
    else await baseline(ctx, p, mt, train, p.method);
  },
};
