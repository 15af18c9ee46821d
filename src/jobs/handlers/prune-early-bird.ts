/**
 * EARLY_BIRD PRUNE runs: the search (a dense fine-tune whose masks are drawn every `interval`
 * steps until they settle) runs once and is stored as a checkpoint with its masks; then each
 * sparsity's mask is applied to θ0, fine-tuned and stored with its evaluation like a ONE_SHOT
 * ticket. A resumed run does not search again. Each draw's mask distances are metric points
 * (`mask/distance@<sparsity>`) and go out at once in the run's events, beside the loss.
 */
import { defaultInterval } from '../../core/pruning';
import type { TrainSettings } from '../compute/protocol';
import { getCheckpoint, putCheckpoint } from '../store';
import { forwardProgress, type ModelAndTask } from './common';
import { storeSingleTicket, type Resolved } from './prune-single';
import type { RunContext } from './types';

interface Searched {
  steps: number;
  seconds: number;
  converged: boolean;
  draws: number;
  windowMax: number | null;
}

const distanceMetric = (sparsity: number): string => `mask/distance@${sparsity}`;

export async function earlyBird(ctx: RunContext, p: Resolved, mt: ModelAndTask, train: TrainSettings): Promise<void> {
  const runId = ctx.run.id;
  const budget = p.searchSteps ?? p.stepsPerLevel;
  const search = {
    steps: budget,
    interval: p.interval ?? defaultInterval(budget),
    window: p.window,
    tolerance: p.tolerance,
  };
  const stored = await getCheckpoint(ctx.ds, runId, 'early-bird');
  const cp = await getCheckpoint(ctx.ds, runId, 'baseline');
  const done = ((cp?.meta.done as number[] | undefined) ?? []).slice();
  const remaining = p.sparsities.filter((s) => !done.includes(s));
  if (stored && remaining.length === 0) return;
  let searched = (stored?.meta as Searched | undefined) ?? null;
  const L = p.sparsities.length;
  const steps = p.stepsPerLevel;
  const bytes = Math.ceil(mt.prunable / 8);
  const masks = stored?.data
    ? p.sparsities.map((_, i) => new Uint8Array(stored.data!.subarray(i * bytes, (i + 1) * bytes)))
    : null;
  let total = (searched?.steps ?? budget) + L * steps;
  if (stored)
    ctx.log(
      `run ${runId}: Early-Bird search stored (stopped at step ${searched!.steps}); ${remaining.length} tickets to fine-tune`,
    );
  let next = 0;
  await ctx.compute(
    {
      job: 'EARLY_BIRD',
      config: mt.config,
      weights: mt.weights,
      task: mt.kind,
      data: mt.data,
      train,
      search,
      sparsities: p.sparsities,
      seed: p.seed,
      searched: masks,
      remaining,
      stepOffset: (searched?.steps ?? 0) + done.length * steps,
      totalSteps: total,
    },
    async (m) => {
      if (forwardProgress(ctx, m)) return;
      if (m.type === 'draw') {
        ctx.reporter.live(
          Object.fromEntries(p.sparsities.map((s, i) => [distanceMetric(s), m.distances[i]])),
          m.step,
          m.at,
        );
        return;
      }
      if (m.type === 'searched') {
        searched = {
          steps: m.steps,
          seconds: m.seconds,
          converged: m.converged,
          draws: m.draws,
          windowMax: Number.isFinite(m.windowMax) ? m.windowMax : null,
        };
        const blob = new Uint8Array(L * bytes);
        m.masks.forEach((b, i) => blob.set(b, i * bytes));
        await ctx.write((tx) => putCheckpoint(tx, runId, 'early-bird', { ...searched }, blob));
        total = m.steps + L * steps;
        ctx.reporter.setPhase(
          m.converged
            ? `early-bird search converged at step ${m.steps} of ${budget}`
            : `early-bird search did not converge within ${budget} steps; the last draw is taken`,
          Date.now(),
        );
        ctx.reporter.checkpoint(m.steps, total);
        return;
      }
      if (m.type !== 'baseline') throw new Error(`unexpected ${m.type} message from an EARLY_BIRD computation`);
      const requested = remaining[next++];
      const s = searched!;
      await storeSingleTicket(
        ctx,
        p,
        mt,
        m,
        {
          searchSteps: s.steps,
          searchSeconds: s.seconds,
          search: {
            converged: s.converged,
            stoppedAtStep: s.steps,
            budget,
            draws: s.draws,
            windowMax: s.windowMax,
            interval: search.interval,
            window: search.window,
            tolerance: search.tolerance,
          },
        },
        (tx) => {
          done.push(requested);
          return putCheckpoint(tx, runId, 'baseline', { done }, null);
        },
      );
      ctx.reporter.checkpoint(m.step, total);
    },
  );
}
