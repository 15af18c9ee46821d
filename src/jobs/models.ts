/**
 * Model rows the jobs need: the shipped model registered once (source BUILTIN), models produced
 * by PRETRAIN runs, and where a worker thread finds a model's θ0.
 */
import * as fs from 'fs';
import { sha256 } from '../artifacts/verified-write';
import * as path from 'path';
import type { DataSource, EntityManager } from 'typeorm';
import { BUILTIN_MODEL_NAME, builtinModelDir } from '../core/model/builtin';
import type { ModelConfig } from '../core/model/config';
import { encoderParamSpecs } from '../core/model/names';
import { denseMask } from '../core/lottery/bridge';
import type { WeightsRef } from './compute/protocol';

export function parameterCounts(config: ModelConfig): { parameterCount: number; prunableParameterCount: number } {
  const parameterCount = encoderParamSpecs(config).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
  const prunableParameterCount = denseMask(config).total;
  return { parameterCount, prunableParameterCount };
}

/**
 * Registers the shipped model (idempotent). Returns its id, and whether its weights file differs
 * from the one registered; null when it is not installed.
 */
export async function ensureBuiltinModel(ds: DataSource): Promise<{ id: string; changed: boolean } | null> {
  let dir: string;
  try {
    dir = builtinModelDir();
  } catch {
    return null;
  }
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as ModelConfig;
  const sha = sha256(fs.readFileSync(path.join(dir, 'model.safetensors')));
  const counts = parameterCounts(config);
  const rows = (await ds.query(
    `INSERT INTO model (name, config, parameter_count, prunable_parameter_count, weights_sha256, source)
     VALUES ($1, $2, $3, $4, $5, 'BUILTIN') ON CONFLICT (name) DO NOTHING RETURNING id`,
    [BUILTIN_MODEL_NAME, JSON.stringify(config), counts.parameterCount, counts.prunableParameterCount, sha],
  )) as Array<{ id: string }>;
  if (rows[0]) return { id: rows[0].id, changed: false };
  const found = (await ds.query(`SELECT id, weights_sha256 FROM model WHERE name = $1`, [
    BUILTIN_MODEL_NAME,
  ])) as Array<{ id: string; weights_sha256: string | null }>;
  // Results stored over the shipped model refer to the θ0 it had then; a different file is worth a warning.
  return found[0] ? { id: found[0].id, changed: found[0].weights_sha256 !== sha } : null;
}

export interface ModelRow {
  id: string;
  name: string;
  config: ModelConfig;
  source: string;
  weights_sha256: string | null;
  prunable_parameter_count: string | number;
}

export async function modelRow(db: DataSource | EntityManager, id: string): Promise<ModelRow | null> {
  const rows = (await db.query(
    `SELECT id, name, config, source, weights_sha256, prunable_parameter_count FROM model WHERE id = $1`,
    [id],
  )) as ModelRow[];
  return rows[0] ?? null;
}

/** Where the compute thread loads θ0 (and the pre-training heads) of a model from. */
export function weightsRef(m: ModelRow, artifactsDir: string): WeightsRef {
  if (m.source === 'BUILTIN' && m.name === BUILTIN_MODEL_NAME) return { kind: 'builtin' };
  if (!m.weights_sha256) throw new Error(`model ${m.name} has no stored weights`);
  return {
    kind: 'file',
    weights: path.join(artifactsDir, `${m.weights_sha256}.safetensors`),
    head: path.join(artifactsDir, `${m.weights_sha256}.head.safetensors`),
  };
}
