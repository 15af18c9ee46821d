/**
 * startStudy: the request is validated and resolved (presets, defaults, task ids), planned
 * (core/experiments/study-plan.ts) and stored — the study row and all its steps in one
 * transaction, or nothing. An identical study (same name and resolved params) that is QUEUED,
 * RUNNING or SUCCEEDED is returned instead, unless `force`.
 */
import type { DataSource } from 'typeorm';
import type { StudyConfig } from '../config';
import { paramsHash } from '../core/experiments/identity';
import { defaultSteps } from '../core/experiments/params';
import { resolveStudy, STUDY_LIMITS, StudyInputError, studyJson, type StudyParams } from '../core/experiments/study';
import { planStudy, type PlannedStep } from '../core/experiments/study-plan';
import { BadInputError, NotFoundError } from '../kit/errors';
import { findModel, findTask, validateSparsities } from '../run/run.validate';
import { BUILTIN_KIND_ORDER } from '../task/task.builtin';
import { Study } from './study.entity';
import type { StudyInput } from './study.input';

/** A missing model or task is the request's fault here: BAD_USER_INPUT naming the field. */
async function asInput<T>(field: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof NotFoundError) throw new BadInputError(`${field}: ${e.message}`);
    throw e;
  }
}

export async function resolveStudyInput(
  ds: DataSource,
  i: StudyInput,
  cfg: StudyConfig,
): Promise<{ name: string; params: StudyParams; kinds: Map<string, string> }> {
  const name = (i.name ?? '').trim();
  if (name.length === 0 || name.length > STUDY_LIMITS.nameMax)
    throw new BadInputError(`name: must be 1..${STUDY_LIMITS.nameMax} characters`);
  if (name.includes('\u0000')) throw new BadInputError('name: must not contain NUL characters');
  let r: ReturnType<typeof resolveStudy>;
  try {
    r = resolveStudy({ ...i, preset: i.preset as StudyParams['preset'] | null }, cfg.maxSeeds);
  } catch (e) {
    if (e instanceof StudyInputError) throw new BadInputError(e.message);
    throw e;
  }
  const model = await asInput('modelId', () => findModel(ds, 'modelId', i.modelId));
  try {
    validateSparsities('IMP', r.sparsities, model.prunable);
  } catch (e) {
    throw new BadInputError(e instanceof Error ? e.message : String(e));
  }
  const kinds = new Map<string, string>();
  const builtins = (await ds.query(`SELECT id, kind FROM task WHERE built_in`)) as Array<{ id: string; kind: string }>;
  let taskIds: string[];
  if (r.taskIds) {
    if (r.taskIds.length === 0 || r.taskIds.length > STUDY_LIMITS.maxTasks)
      throw new BadInputError(`taskIds: must list 1..${STUDY_LIMITS.maxTasks} tasks, got ${r.taskIds.length}`);
    taskIds = [];
    for (const [k, t] of r.taskIds.entries()) {
      const kind = await asInput(`taskIds[${k}]`, () => findTask(ds, `taskIds[${k}]`, t, model));
      if (kind === 'PRETRAIN')
        throw new BadInputError(`taskIds[${k}]: PRETRAIN is not a downstream task (pretrainingTicket covers it)`);
      const id = t.toLowerCase();
      if (taskIds.includes(id)) throw new BadInputError(`taskIds[${k}]: task ${id} is listed twice`);
      taskIds.push(id);
      kinds.set(id, kind);
    }
  } else {
    const wanted = r.taskKinds === 'ALL' ? BUILTIN_KIND_ORDER.filter((k) => k !== 'PRETRAIN') : r.taskKinds;
    taskIds = builtins.filter((b) => wanted.includes(b.kind)).map((b) => b.id);
    for (const [k, id] of taskIds.entries()) kinds.set(id, await findTask(ds, `taskIds[${k}]`, id, model));
  }
  const pretrain = builtins.find((b) => b.kind === 'PRETRAIN');
  if (r.pretrainingTicket && !pretrain)
    throw new BadInputError('pretrainingTicket: the built-in PRETRAIN task is missing on this server');
  if (pretrain) kinds.set(pretrain.id, 'PRETRAIN');
  const { taskKinds: _k, taskIds: _t, ...rest } = r;
  void _k;
  void _t;
  const params: StudyParams = {
    ...rest,
    modelId: model.id,
    taskIds: [...taskIds].sort(),
    pretrainTaskId: r.pretrainingTicket ? pretrain!.id : null,
  };
  return { name, params, kinds };
}

export async function planAndStore(
  ds: DataSource,
  i: StudyInput,
  cfg: StudyConfig,
): Promise<{ study: Study; created: boolean }> {
  const { name, params, kinds } = await resolveStudyInput(ds, i, cfg);
  const steps: PlannedStep[] = planStudy(params, (t) => defaultSteps(kinds.get(t) as never));
  if (steps.length > cfg.maxRuns)
    throw new BadInputError(
      `input: the plan has ${steps.length} runs, more than this server's cap of ${cfg.maxRuns} (TICKETLAB_MAX_STUDY_RUNS); use fewer tasks, seeds or sparsities`,
    );
  const json = studyJson(params);
  const hash = paramsHash('STUDY', { name, ...json });
  return ds.transaction(async (m) => {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [hash]);
    if (!i.force) {
      const same = await m
        .getRepository(Study)
        .createQueryBuilder('s')
        .where('s.params_hash = :hash AND s.status IN (:...st)', { hash, st: ['QUEUED', 'RUNNING', 'SUCCEEDED'] })
        .orderBy('s.created_at', 'DESC')
        .getOne();
      if (same) return { study: same, created: false };
    }
    const study = await m
      .getRepository(Study)
      .save(m.getRepository(Study).create({ name, params: json, paramsHash: hash }));
    await m.query(
      `INSERT INTO study_step (study_id, key, kind, role, request, depends_on)
       SELECT $1, s.key, s.kind, s.role, s.request, s.depends_on
         FROM jsonb_to_recordset($2::jsonb) AS s(key text, kind text, role text, request jsonb, depends_on text[])`,
      [study.id, JSON.stringify(steps.map((s) => ({ ...s, depends_on: s.dependsOn })))],
    );
    return { study, created: true };
  });
}
