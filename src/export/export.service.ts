/**
 * Reads behind the export routes. Lists are read in keyset batches so an export of any size
 * holds one batch in memory at a time.
 */
import type { DataSource } from 'typeorm';
import type { Mask } from '../core/pruning';
import { WeightInit } from '../evaluation/evaluation.enums';
import { Model } from '../model/model.entity';
import { masksForTickets } from '../ticket/ticket.batch';
import { maskOf } from '../ticket/ticket.layers';

export const BATCH = 1000;

export interface EvaluationCsvFilter {
  modelId?: string;
  taskId?: string;
  ticketId?: string;
  runId?: string;
  weightInit?: string;
  trainingMode?: string;
  dense?: boolean;
}

export interface EvaluationCsvRow {
  id: string;
  created_at: Date;
  model_id: string;
  model_name: string;
  task_id: string;
  task_name: string;
  task_kind: string;
  ticket_id: string | null;
  ticket_method: string | null;
  ticket_sparsity: number | null;
  ticket_level: number | null;
  weight_init: string;
  training_mode: string;
  seed: number;
  steps: number;
  score: number;
  relative_score: number | null;
  run_id: string | null;
  metrics: Record<string, number>;
}

export interface MetricCsvRow {
  id: string;
  step: number;
  name: string;
  value: number;
}

function where(f: EvaluationCsvFilter, params: unknown[]): string {
  const parts: string[] = [];
  const eq = (col: string, v: unknown) => {
    params.push(v);
    parts.push(`${col} = $${params.length}`);
  };
  if (f.modelId) eq('e.model_id', f.modelId);
  if (f.taskId) eq('e.task_id', f.taskId);
  if (f.ticketId) eq('e.ticket_id', f.ticketId);
  if (f.runId) eq('e.run_id', f.runId);
  if (f.weightInit) eq('e.weight_init', f.weightInit);
  if (f.trainingMode) eq('e.training_mode', f.trainingMode);
  if (f.dense === true) parts.push('e.ticket_id IS NULL');
  if (f.dense === false) parts.push('e.ticket_id IS NOT NULL');
  return parts.length ? parts.join(' AND ') : 'true';
}

export class ExportService {
  constructor(private readonly ds: DataSource) {}

  /** The ticket's mask over its model's prunable layout, or null when there is no such ticket. */
  async ticketMask(id: string): Promise<{ mask: Mask; modelId: string; modelName: string } | null> {
    const [stored] = await masksForTickets(this.ds, [id]);
    if (!stored) return null;
    const model = await this.ds.getRepository(Model).findOneByOrFail({ id: stored.modelId });
    return { mask: maskOf(stored, model.config), modelId: model.id, modelName: model.name };
  }

  /** Names of every metric the matching evaluations report, sorted (the CSV's metric columns). */
  async metricNames(f: EvaluationCsvFilter): Promise<string[]> {
    const params: unknown[] = [];
    const rows = (await this.ds.query(
      `SELECT DISTINCT k.name FROM evaluation e, jsonb_object_keys(e.metrics) AS k(name) WHERE ${where(f, params)} ORDER BY k.name`,
      params,
    )) as Array<{ name: string }>;
    return rows.map((r) => r.name);
  }

  /**
   * Matching evaluations, oldest first, in batches. relative_score is the stored one or, like
   * Evaluation.relativeScore, score ÷ mean dense PRETRAINED score of the same model, task, mode
   * and steps.
   */
  async *evaluations(f: EvaluationCsvFilter): AsyncGenerator<EvaluationCsvRow[]> {
    let after: { at: Date; id: string } | null = null;
    for (;;) {
      const params: unknown[] = [WeightInit.PRETRAINED];
      let cond = where(f, params);
      if (after) {
        params.push(after.at, after.id);
        cond += ` AND (e.created_at, e.id) > ($${params.length - 1}, $${params.length})`;
      }
      params.push(BATCH);
      const rows = (await this.ds.query(
        `SELECT e.id, e.created_at, e.model_id, m.name AS model_name, e.task_id, k.name AS task_name, k.kind AS task_kind,
                e.ticket_id, t.method AS ticket_method, t.sparsity AS ticket_sparsity, t.level AS ticket_level,
                e.weight_init, e.training_mode, e.seed, e.steps, e.score,
                coalesce(e.relative_score, e.score / nullif(d.mean, 0)) AS relative_score, e.run_id, e.metrics
           FROM evaluation e
           JOIN model m ON m.id = e.model_id
           JOIN task k ON k.id = e.task_id
           LEFT JOIN ticket t ON t.id = e.ticket_id
           LEFT JOIN LATERAL (
             SELECT avg(x.score) AS mean FROM evaluation x
              WHERE x.model_id = e.model_id AND x.task_id = e.task_id AND x.training_mode = e.training_mode
                AND x.attack = e.attack
                AND x.steps = e.steps AND x.ticket_id IS NULL AND x.weight_init = $1) d ON e.relative_score IS NULL
          WHERE ${cond}
          ORDER BY e.created_at, e.id
          LIMIT $${params.length}`,
        params,
      )) as EvaluationCsvRow[];
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < BATCH) return;
      const last = rows[rows.length - 1];
      after = { at: last.created_at, id: last.id };
    }
  }

  async runExists(id: string): Promise<boolean> {
    const rows = (await this.ds.query('SELECT 1 FROM run WHERE id = $1', [id])) as unknown[];
    return rows.length > 0;
  }

  /** A run's metric points ordered by name then step (the series index order), in batches. */
  async *metricPoints(runId: string, names: string[] | null): AsyncGenerator<MetricCsvRow[]> {
    let after: { name: string; step: number; id: string } | null = null;
    for (;;) {
      const params: unknown[] = [runId, names, BATCH];
      let cond = '';
      if (after) {
        params.push(after.name, after.step, after.id);
        cond = 'AND (p.name, p.step, p.id) > ($4, $5, $6::bigint)';
      }
      const rows = (await this.ds.query(
        `SELECT p.id, p.step, p.name, p.value FROM metric_point p
          WHERE p.run_id = $1 AND ($2::text[] IS NULL OR p.name = ANY($2::text[])) ${cond}
          ORDER BY p.name, p.step, p.id LIMIT $3`,
        params,
      )) as MetricCsvRow[];
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < BATCH) return;
      const last = rows[rows.length - 1];
      after = { name: last.name, step: last.step, id: last.id };
    }
  }
}
