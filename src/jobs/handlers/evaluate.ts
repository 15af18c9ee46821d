/**
 * EVALUATE runs: a mask (or the dense model) fine-tuned and tested once per seed. Each seed's
 * evaluation is stored when it is done; a resumed run skips the seeds already stored.
 */
import { relativeScore } from '../../core/lottery';
import { resolveEvaluate, type EvaluateParams, storedParams } from '../../core/experiments/params';
import { denseMean, insertEvaluation } from '../store';
import { forwardProgress, modelAndTask, ticketMask } from './common';
import type { RunHandler } from './types';

export const evaluateHandler: RunHandler = {
  kind: 'EVALUATE',
  async execute(ctx) {
    const runId = ctx.run.id;
    const params = storedParams<EvaluateParams>(ctx.run.params);
    const mt = await modelAndTask(ctx, params.modelId, params.taskId);
    const p = resolveEvaluate(params, mt.kind);
    const mask = await ticketMask(ctx, p.ticketId);
    const stored = (await ctx.ds.query(`SELECT seed FROM evaluation WHERE run_id = $1`, [runId])) as Array<{
      seed: number;
    }>;
    const done = new Set(stored.map((r) => r.seed));
    const remaining = p.seeds.filter((s) => !done.has(s));
    if (remaining.length === 0) return;
    const totalSteps = p.seeds.length * p.steps;
    await ctx.compute(
      {
        job: 'EVALUATE',
        config: mt.config,
        weights: mt.weights,
        task: mt.kind,
        data: mt.data,
        train: { steps: p.steps, lr: p.lr, batchSize: p.batchSize, trainingMode: p.trainingMode },
        weightInit: p.weightInit,
        mask,
        seeds: remaining,
        stepOffset: (p.seeds.length - remaining.length) * p.steps,
        totalSteps,
      },
      async (m) => {
        if (forwardProgress(ctx, m)) return;
        if (m.type !== 'evaluation') throw new Error(`unexpected ${m.type} message from an evaluation`);
        let rel: number | null = null;
        if (p.ticketId || p.weightInit !== 'PRETRAINED') {
          const d = await denseMean(ctx.ds, p.modelId, p.taskId, p.trainingMode, m.evaluation.steps);
          rel = d === null ? null : relativeScore(m.evaluation.score, d, mt.kind);
        }
        await ctx.write((tx) =>
          insertEvaluation(tx, {
            runId,
            modelId: p.modelId,
            taskId: p.taskId,
            ticketId: p.ticketId,
            weightInit: p.weightInit,
            trainingMode: p.trainingMode,
            result: m.evaluation,
            relativeScore: rel,
          }),
        );
        ctx.reporter.record('score', m.step, m.evaluation.score);
        ctx.reporter.checkpoint(m.step, totalSteps);
      },
    );
  },
};
