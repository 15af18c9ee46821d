/**
 * INSTABILITY runs: for each rewind step, two copies of the ticket's masked network (or the
 * dense one) trained from θ_r with different data orders, and 11 interpolations between them
 * tested (core/lottery/instability.ts). Each rewind step's row is stored when it is done; a
 * resumed run skips the stored ones.
 */
import { resolveInstability, storedParams, type InstabilityParams } from '../../core/experiments/params';
import { forwardProgress, modelAndTask, ticketMask } from './common';
import type { RunHandler } from './types';

export const instabilityHandler: RunHandler = {
  kind: 'INSTABILITY',
  async execute(ctx) {
    const runId = ctx.run.id;
    const params = storedParams<InstabilityParams>(ctx.run.params);
    const mt = await modelAndTask(ctx, params.modelId, params.taskId);
    const p = resolveInstability(params, mt.kind);
    const mask = await ticketMask(ctx, p.ticketId);
    const stored = (await ctx.ds.query(`SELECT rewind_step FROM instability WHERE run_id = $1`, [runId])) as Array<{
      rewind_step: number;
    }>;
    const done = new Set(stored.map((r) => r.rewind_step));
    const remaining = p.rewindSteps.filter((r) => !done.has(r));
    if (remaining.length === 0) return;
    const cost = (r: number) => r + 2 * p.steps;
    const totalSteps = p.rewindSteps.reduce((a, r) => a + cost(r), 0);
    const seeds = p.seeds as [number, number];
    await ctx.compute(
      {
        job: 'INSTABILITY',
        config: mt.config,
        weights: mt.weights,
        task: mt.kind,
        data: mt.data,
        train: { steps: p.steps, lr: p.lr, batchSize: p.batchSize, trainingMode: 'STANDARD' },
        mask,
        rewindSteps: remaining,
        seeds,
        stepOffset: p.rewindSteps.filter((r) => done.has(r)).reduce((a, r) => a + cost(r), 0),
        totalSteps,
      },
      async (m) => {
        if (forwardProgress(ctx, m)) return;
        if (m.type !== 'instability') throw new Error(`unexpected ${m.type} message from an instability analysis`);
        await ctx.write((tx) =>
          tx.query(
            `INSERT INTO instability (run_id, model_id, task_id, ticket_id, rewind_step, steps, seeds, alphas, scores, barrier, lower_is_better)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (run_id, rewind_step) DO NOTHING`,
            [
              runId,
              p.modelId,
              p.taskId,
              p.ticketId,
              m.rewindStep,
              p.steps,
              seeds,
              m.alphas,
              m.scores,
              m.barrier,
              m.lowerIsBetter,
            ],
          ),
        );
        ctx.reporter.record('instability/barrier', m.step, m.barrier);
        ctx.reporter.checkpoint(m.step, totalSteps);
      },
    );
  },
};
