/** Inserts rows straight into a test server's database (there are no mutations yet). */
import { createHash, randomUUID } from 'crypto';
import { Client } from 'pg';

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
  layers: 2, hidden: 16, heads: 2, intermediate: 32, vocabSize: 64, regionFeatureDim: 8, maxTextLength: 12, maxRegions: 4, dropout: 0,
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

export async function insertRun(db: Client, kind = 'PRUNE', parentId: string | null = null, status = 'RUNNING'): Promise<string> {
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
  t: { modelId: string; taskId: string; runId?: string | null; sparsity?: number; method?: string; bits?: number; level?: number; createdAt?: Date },
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
      id, t.modelId, t.taskId, t.method ?? 'IMP', pruned / bits, t.level ?? 0, t.runId ?? null, mask, bits,
      createHash('sha256').update(mask).digest('hex'),
      JSON.stringify([{ name: 'uniter.pooler.dense.weight', total: bits, pruned, sparsity: pruned / bits }]),
      t.createdAt ?? new Date(),
    ],
  );
  return id;
}
