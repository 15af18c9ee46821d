/**
 * PRETRAIN runs: pre-train a fresh encoder of the requested shape on the PRETRAIN objective,
 * store θ0 (and the pre-training heads, for pre-training tickets) in the artifact store and
 * register the Model. Pre-training has no stored intermediate state: a resumed run starts over,
 * unless its model is already registered.
 */
import { BUILTIN_DATA_SEED, resolvePretrain, type PretrainParams, storedParams } from '../../core/experiments/params';
import { parameterCounts } from '../models';
import { forwardProgress } from './common';
import type { RunHandler } from './types';

export const pretrainHandler: RunHandler = {
  kind: 'PRETRAIN',
  async execute(ctx) {
    const p = resolvePretrain(storedParams<PretrainParams>(ctx.run.params));
    const existing = (await ctx.ds.query(`SELECT id FROM model WHERE run_id = $1`, [ctx.run.id])) as unknown[];
    if (existing.length) return;
    const steps = p.steps;
    await ctx.compute(
      {
        job: 'PRETRAIN',
        config: p.config,
        steps,
        seed: p.seed,
        lr: p.lr,
        batchSize: p.batchSize,
        data: { seed: BUILTIN_DATA_SEED, train: p.corpusSize, test: 0 },
      },
      async (m) => {
        if (forwardProgress(ctx, m)) return;
        if (m.type !== 'pretrained') throw new Error(`unexpected ${m.type} message from pre-training`);
        const sha = ctx.artifacts.put(m.weights);
        ctx.artifacts.put(m.head, { key: sha, suffix: '.head' });
        const counts = parameterCounts(p.config);
        await ctx.write(async (tx) => {
          const rows = (await tx.query(
            `INSERT INTO model (name, config, parameter_count, prunable_parameter_count, weights_sha256, source, run_id)
             VALUES ($1, $2, $3, $4, $5, 'PRETRAINED_BY_RUN', $6) ON CONFLICT (name) DO NOTHING RETURNING id`,
            [p.name, JSON.stringify(p.config), counts.parameterCount, counts.prunableParameterCount, sha, ctx.run.id],
          )) as unknown[];
          if (rows.length === 0) throw new Error(`a model named ${JSON.stringify(p.name)} already exists`);
        });
        ctx.reporter.record('loss/first', 0, m.firstLoss);
        ctx.reporter.record('loss/last', m.step, m.lastLoss);
        ctx.reporter.checkpoint(m.step, steps);
      },
    );
  },
};
