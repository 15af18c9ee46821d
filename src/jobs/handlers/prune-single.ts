/**
 * Storing one ticket found alone at one sparsity (ONE_SHOT, RANDOM, EARLY_BIRD) with its
 * evaluation and the run's checkpoint, in one transaction: a resumed run never stores it twice.
 */
import type { EntityManager } from 'typeorm';
import { relativeScore } from '../../core/lottery';
import type { resolvePrune } from '../../core/experiments/params';
import type { ComputeMessage } from '../compute/protocol';
import { denseMean, insertEvaluation, insertTicket, type TicketWrite } from '../store';
import type { ModelAndTask } from './common';
import type { RunContext } from './types';

export type Resolved = ReturnType<typeof resolvePrune>;
type Single = Extract<ComputeMessage, { type: 'baseline' }>;

export async function storeSingleTicket(
  ctx: RunContext,
  p: Resolved,
  mt: ModelAndTask,
  m: Single,
  cost: Pick<TicketWrite, 'searchSteps' | 'searchSeconds' | 'search'>,
  checkpoint: (tx: EntityManager) => Promise<void>,
): Promise<void> {
  const d = await denseMean(ctx.ds, p.modelId, p.taskId, p.trainingMode, m.evaluation.steps);
  const rel = d === null ? null : relativeScore(m.evaluation.score, d, mt.kind);
  await ctx.write(async (tx) => {
    const ticketId = await insertTicket(tx, {
      runId: ctx.run.id,
      modelId: p.modelId,
      taskId: p.taskId,
      method: p.method,
      level: 0,
      sparsity: m.sparsity,
      parentId: null,
      seed: p.seed,
      mask: m.mask,
      maskBits: mt.prunable,
      ...cost,
    });
    await insertEvaluation(tx, {
      runId: ctx.run.id,
      modelId: p.modelId,
      taskId: p.taskId,
      ticketId,
      weightInit: 'PRETRAINED',
      trainingMode: p.trainingMode,
      result: m.evaluation,
      relativeScore: rel,
    });
    await checkpoint(tx);
  });
  ctx.reporter.record('val/score', m.step, m.evaluation.score);
  ctx.reporter.record('sparsity', m.step, m.sparsity);
}
