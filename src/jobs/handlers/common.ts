/** Lookups shared by the handlers. */
import type { ModelConfig } from '../../core/model/config';
import type { TaskKind } from '../../core/data';
import { modelRow, weightsRef } from '../models';
import * as path from 'path';
import { BUILTIN_DATA_SEED } from '../../core/experiments/params';
import type { ComputeMessage, DataSettings, WeightsRef } from '../compute/protocol';
import type { RunContext } from './types';

export interface ModelAndTask {
  config: ModelConfig;
  weights: WeightsRef;
  prunable: number;
  kind: TaskKind;
  /** where the examples come from: generated SyntheticVL, or an imported dataset's stored files. */
  data: DataSettings;
}

export async function modelAndTask(ctx: RunContext, modelId: string, taskId: string): Promise<ModelAndTask> {
  const model = await modelRow(ctx.ds, modelId);
  if (!model) throw new Error(`model ${modelId} no longer exists`);
  const tasks = (await ctx.ds.query(`SELECT kind, params FROM task WHERE id = $1`, [taskId])) as Array<{
    kind: TaskKind;
    params: Record<string, unknown> | null;
  }>;
  if (!tasks[0]) throw new Error(`task ${taskId} no longer exists`);
  const data: DataSettings = { seed: BUILTIN_DATA_SEED };
  const p = tasks[0].params;
  if (p?.source === 'IMPORTED') {
    const files = p.files as { annotations: string; regions: string };
    data.imported = {
      annotations: path.join(ctx.artifacts.dir, `${files.annotations}.jsonl`),
      regions: path.join(ctx.artifacts.dir, `${files.regions}.safetensors`),
      numAnswers: Array.isArray(p.answers) ? p.answers.length : 0,
    };
  }
  return {
    config: model.config,
    weights: weightsRef(model, ctx.artifacts.dir),
    prunable: Number(model.prunable_parameter_count),
    kind: tasks[0].kind,
    data,
  };
}

/** Forwards the compute thread's progress and phase messages to the reporter; true when handled. */
export function forwardProgress(ctx: RunContext, m: ComputeMessage): boolean {
  if (m.type === 'phase') ctx.reporter.setPhase(m.phase, m.at);
  else if (m.type === 'progress') ctx.reporter.progress(m);
  else if (m.type !== 'ready') return false;
  return true;
}

/** A ticket's packed mask (null for the dense model); the ticket must still exist. */
export async function ticketMask(ctx: RunContext, ticketId: string | null): Promise<Uint8Array | null> {
  if (!ticketId) return null;
  const rows = (await ctx.ds.query(`SELECT mask FROM ticket WHERE id = $1`, [ticketId])) as Array<{ mask: Buffer }>;
  if (!rows[0]) throw new Error(`ticket ${ticketId} no longer exists`);
  return new Uint8Array(rows[0].mask);
}
