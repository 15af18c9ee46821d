/** Inserts rows straight into a test server's database (there are no mutations yet). */
import { attackOf } from '../../src/core/training/adversarial';
import { createHash, randomUUID } from 'crypto';
import { Client } from 'pg';
import type { ModelConfig } from '../../src/core/model/config';
import { parameterCount, prunableParameterCount } from '../../src/core/model/names';

export async function withDb<T>(databaseUrl: string, fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

export const TINY_CONFIG = {
  layers: 2,
  hidden: 16,
  heads: 2,
  intermediate: 32,
  vocabSize: 64,
  regionFeatureDim: 8,
  maxTextLength: 12,
  maxRegions: 4,
  dropout: 0,
};

export async function insertModel(db: Client, name: string, prunable = 20): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO model (id, name, config, parameter_count, prunable_parameter_count, source) VALUES ($1, $2, $3, $4, $5, 'BUILTIN')`,
    [id, name, JSON.stringify(TINY_CONFIG), 1000, prunable],
  );
  return id;
}

export async function builtinTaskId(db: Client, kind: string): Promise<string> {
  const r = await db.query('SELECT id FROM task WHERE built_in AND kind = $1', [kind]);
  return r.rows[0].id as string;
}

export async function insertRun(
  db: Client,
  kind = 'PRUNE',
  parentId: string | null = null,
  status = 'RUNNING',
): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO run (id, kind, status, params, params_hash, step, total_steps, phase, parent_id) VALUES ($1, $2, $3, '{"seed":1}', $4, 5, 100, 'fine-tune', $5)`,
    [id, kind, status, createHash('sha256').update(id).digest('hex'), parentId],
  );
  return id;
}

/** A ticket over `bits` weights with the first `pruned` bits 0 (pruned), the rest 1 (kept). */
export async function insertTicket(
  db: Client,
  t: {
    modelId: string;
    taskId: string;
    runId?: string | null;
    sparsity?: number;
    method?: string;
    bits?: number;
    level?: number;
    createdAt?: Date;
  },
): Promise<string> {
  const id = randomUUID();
  const bits = t.bits ?? 20;
  const pruned = Math.round((t.sparsity ?? 0.5) * bits);
  const mask = Buffer.alloc(Math.ceil(bits / 8));
  for (let i = pruned; i < bits; i++) mask[i >> 3] |= 1 << (i & 7);
  await db.query(
    `INSERT INTO ticket (id, model_id, task_id, method, sparsity, level, run_id, mask, mask_bits, mask_sha256, layer_sparsity, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      id,
      t.modelId,
      t.taskId,
      t.method ?? 'IMP',
      pruned / bits,
      t.level ?? 0,
      t.runId ?? null,
      mask,
      bits,
      createHash('sha256').update(mask).digest('hex'),
      JSON.stringify([{ name: 'uniter.pooler.dense.weight', total: bits, pruned, sparsity: pruned / bits }]),
      t.createdAt ?? new Date(),
    ],
  );
  return id;
}

/** A model row whose counts follow its config (so masks over it have the canonical layout). */
export async function insertModelFor(
  db: Client,
  name: string,
  config: Record<string, number>,
): Promise<{ id: string; prunable: number }> {
  const c = config as unknown as ModelConfig;
  const id = randomUUID();
  const prunable = prunableParameterCount(c);
  await db.query(
    `INSERT INTO model (id, name, config, parameter_count, prunable_parameter_count, source) VALUES ($1, $2, $3, $4, $5, 'IMPORTED')`,
    [id, name, JSON.stringify(config), parameterCount(c), prunable],
  );
  return { id, prunable };
}

/** Packs 0/1 values LSB-first (the stored mask format). */
export function packMask(kept: Uint8Array): Buffer {
  const out = Buffer.alloc(Math.ceil(kept.length / 8));
  kept.forEach((v, i) => {
    if (v) out[i >> 3] |= 1 << (i & 7);
  });
  return out;
}

/**
 * A ticket with an explicit mask (one 0/1 value per prunable weight). Its stored per-layer counts
 * are left empty on purpose: Ticket.layerSparsity must come from the mask.
 */
export async function insertMaskTicket(
  db: Client,
  t: {
    modelId: string;
    taskId: string | null;
    kept: Uint8Array;
    method?: string;
    level?: number;
    parentId?: string | null;
    runId?: string | null;
    createdAt?: Date;
  },
): Promise<string> {
  const id = randomUUID();
  const mask = packMask(t.kept);
  const pruned = t.kept.reduce((n, v) => n + (v ? 0 : 1), 0);
  await db.query(
    `INSERT INTO ticket (id, model_id, task_id, method, sparsity, level, parent_id, run_id, mask, mask_bits, mask_sha256, layer_sparsity, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '[]', $12)`,
    [
      id,
      t.modelId,
      t.taskId,
      t.method ?? 'IMP',
      t.kept.length === 0 ? 0 : pruned / t.kept.length,
      t.level ?? 0,
      t.parentId ?? null,
      t.runId ?? null,
      mask,
      t.kept.length,
      createHash('sha256').update(mask).digest('hex'),
      t.createdAt ?? new Date(),
    ],
  );
  return id;
}

export interface EvaluationSeed {
  modelId: string;
  taskId: string;
  ticketId?: string | null;
  weightInit?: string;
  trainingMode?: string;
  seed?: number;
  steps?: number;
  score: number;
  metrics?: Record<string, number>;
  runId?: string | null;
  createdAt?: Date;
  /** ADVERSARIAL: the attack label (default the current one, as the server stores it) */
  attack?: string;
}

export async function insertEvaluation(db: Client, e: EvaluationSeed): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO evaluation (id, model_id, ticket_id, task_id, run_id, weight_init, training_mode, seed, steps, metrics, score, created_at, attack)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      id,
      e.modelId,
      e.ticketId ?? null,
      e.taskId,
      e.runId ?? null,
      e.weightInit ?? 'PRETRAINED',
      e.trainingMode ?? 'STANDARD',
      e.seed ?? 0,
      e.steps ?? 100,
      JSON.stringify(e.metrics ?? { score: e.score }),
      e.score,
      e.createdAt ?? new Date(),
      e.attack ?? attackOf(e.trainingMode ?? 'STANDARD'),
    ],
  );
  return id;
}

export async function insertMetricPoints(
  db: Client,
  runId: string,
  points: Array<{ step: number; name: string; value: number }>,
): Promise<void> {
  for (const p of points) {
    await db.query('INSERT INTO metric_point (run_id, step, name, value) VALUES ($1, $2, $3, $4)', [
      runId,
      p.step,
      p.name,
      p.value,
    ]);
  }
}
