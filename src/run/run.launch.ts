/**
 * Starting, cancelling and retrying runs (the experiment mutations). A request is validated,
 * canonicalised and hashed; an identical QUEUED/RUNNING/SUCCEEDED run is returned instead of a
 * new one unless `force`. New runs are stored QUEUED and their job is sent to the queue; the run
 * row, not the job, is what workers trust.
 */
import type { DataSource, EntityManager, Repository } from 'typeorm';
import { BadInputError, ConflictError, NotFoundError } from '../graphql/errors';
import { isUuid } from '../graphql/ids';
import { canonicalParams, paramsHash, type Json } from '../jobs/identity';
import { EVALUATE_DEFAULTS, PRETRAIN_DEFAULTS, PRUNE_DEFAULTS, TRANSFER_DEFAULTS, defaultSteps, type EvaluateParams } from '../jobs/params';
import { QueueSender } from '../jobs/queue';
import { settleParent } from '../jobs/transfer';
import { Run } from './run.entity';
import { RunKind, RunStatus } from './run.enums';
import { publishRunEvent } from './run.events';
import type { EvaluateInput, PretrainInput, PruningInput, TransferInput } from './run.launch.input';
import {
  MAX_TRANSFER_TASKS, MAX_TRANSFER_TICKETS, findModel, findTask, findTicket, intIn, seedsOf,
  validateEvaluate, validatePretrain, validatePruning,
} from './run.validate';

const DEFAULTS: Record<RunKind, Record<string, Json>> = {
  PRETRAIN: PRETRAIN_DEFAULTS, PRUNE: PRUNE_DEFAULTS, EVALUATE: EVALUATE_DEFAULTS, TRANSFER: TRANSFER_DEFAULTS,
};

type Params = Record<string, Json | undefined>;

/** Rows of an UPDATE ... RETURNING through TypeORM (which returns [rows, count] for UPDATE). */
function returned<T>(r: unknown): T[] {
  if (Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number') return r[0] as T[];
  return r as T[];
}

export class LaunchService {
  private readonly repo: Repository<Run>;
  private readonly queue: QueueSender;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(Run);
    this.queue = new QueueSender((ds.options as { url?: string }).url ?? '');
  }

  /** Existing identical run, or a new QUEUED one (not yet enqueued). */
  private async findOrCreate(m: EntityManager, kind: RunKind, params: Params, force: boolean, parentId: string | null = null): Promise<{ run: Run; created: boolean }> {
    const canonical = canonicalParams(params, DEFAULTS[kind]);
    const hash = paramsHash(kind, canonical);
    // Serialises identical requests, so two at once cannot both create a run.
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [hash]);
    if (!force) {
      const same = await m.getRepository(Run).createQueryBuilder('r')
        .where('r.params_hash = :hash AND r.kind = :kind AND r.status IN (:...st)', { hash, kind, st: ['QUEUED', 'RUNNING', 'SUCCEEDED'] })
        .orderBy('r.created_at', 'DESC').getOne();
      if (same) return { run: same, created: false };
    }
    const run = m.getRepository(Run).create({ kind, status: RunStatus.QUEUED, params: canonical, paramsHash: hash, parentId, progress: 0, step: 0 });
    return { run: await m.getRepository(Run).save(run), created: true };
  }

  private async enqueue(runs: Run[]): Promise<void> {
    for (const r of runs) {
      // Published before the job exists, so no worker's RUNNING event can overtake it.
      await publishRunEvent(this.ds, { runId: r.id, status: RunStatus.QUEUED });
      try {
        await this.queue.enqueue(r.id);
      } catch (e) {
        // Without a job nobody would ever run it: FAILED, so that retryRun can queue it again.
        const error = `could not be queued: ${e instanceof Error ? e.message : String(e)}`;
        await this.ds.query(`UPDATE run SET status = 'FAILED', error = $2, finished_at = now() WHERE id = $1 AND status = 'QUEUED'`, [r.id, error]);
        await publishRunEvent(this.ds, { runId: r.id, status: RunStatus.FAILED, message: error });
        throw e;
      }
    }
  }

  private async launch(kind: RunKind, params: Params, force: boolean): Promise<Run> {
    const { run, created } = await this.ds.transaction((m) => this.findOrCreate(m, kind, params, force));
    if (created) await this.enqueue([run]);
    return run;
  }

  async pretrain(i: PretrainInput): Promise<Run> {
    return this.launch(RunKind.PRETRAIN, (await validatePretrain(this.ds, i)) as unknown as Params, !!i.force);
  }

  async prune(i: PruningInput): Promise<Run> {
    return this.launch(RunKind.PRUNE, (await validatePruning(this.ds, i)) as unknown as Params, !!i.force);
  }

  async evaluate(i: EvaluateInput): Promise<Run> {
    return this.launch(RunKind.EVALUATE, (await validateEvaluate(this.ds, i)) as unknown as Params, !!i.force);
  }

  /**
   * A TRANSFER parent (RUNNING from the start; its status follows its children) with one
   * EVALUATE child per (ticket, task), and a dense EVALUATE child per task whose dense baseline
   * (same model, mode, steps and seeds) is neither stored nor already scheduled.
   */
  async transfer(i: TransferInput): Promise<Run> {
    const model = await findModel(this.ds, 'modelId', i.modelId);
    if (i.ticketIds.length === 0 || i.ticketIds.length > MAX_TRANSFER_TICKETS) throw new BadInputError(`ticketIds: must list 1..${MAX_TRANSFER_TICKETS} tickets, got ${i.ticketIds.length}`);
    if (i.taskIds.length === 0 || i.taskIds.length > MAX_TRANSFER_TASKS) throw new BadInputError(`taskIds: must list 1..${MAX_TRANSFER_TASKS} tasks, got ${i.taskIds.length}`);
    const ticketIds = [...new Set(await Promise.all(i.ticketIds.map((t, k) => findTicket(this.ds, `ticketIds[${k}]`, t, model.id))))];
    const tasks: Array<{ id: string; kind: Awaited<ReturnType<typeof findTask>> }> = [];
    for (const [k, t] of i.taskIds.entries()) {
      const kind = await findTask(this.ds, `taskIds[${k}]`, t, model);
      if (!tasks.some((x) => x.id === t.toLowerCase())) tasks.push({ id: t.toLowerCase(), kind });
    }
    const steps = intIn('steps', i.steps, 1, 100_000);
    const seeds = seedsOf('seeds', i.seeds);
    const trainingMode = i.trainingMode ?? undefined;
    // Sorted: the same tickets and tasks in another order are the same request.
    const params: Params = { modelId: model.id, ticketIds: [...ticketIds].sort(), taskIds: tasks.map((t) => t.id).sort(), trainingMode, steps, seeds };
    const toEnqueue: Run[] = [];
    const parent = await this.ds.transaction(async (m) => {
      const { run, created } = await this.findOrCreate(m, RunKind.TRANSFER, params, !!i.force);
      if (!created) return run;
      run.status = RunStatus.RUNNING;
      run.startedAt = new Date();
      await m.getRepository(Run).save(run);
      for (const task of tasks) {
        const child = (ticketId: string | undefined): Params => ({ modelId: model.id, taskId: task.id, ticketId, trainingMode, steps, seeds }) as EvaluateParams as unknown as Params;
        if (!(await this.denseCovered(m, model.id, task.id, trainingMode ?? 'STANDARD', steps ?? defaultSteps(task.kind), seeds ?? [1]))) {
          const dense = await this.findOrCreate(m, RunKind.EVALUATE, child(undefined), false, run.id);
          if (dense.created) toEnqueue.push(dense.run);
        }
        for (const ticketId of ticketIds) {
          const c = await this.findOrCreate(m, RunKind.EVALUATE, child(ticketId), true, run.id);
          toEnqueue.push(c.run);
        }
      }
      return run;
    });
    await this.enqueue(toEnqueue);
    if (toEnqueue.length === 0) await settleParent(this.ds, parent.id);
    return parent;
  }

  /** Dense evaluations for every seed are stored, or a dense run that will store them is pending. */
  private async denseCovered(m: EntityManager, modelId: string, taskId: string, mode: string, steps: number, seeds: number[]): Promise<boolean> {
    const rows = (await m.query(
      `SELECT DISTINCT seed FROM evaluation WHERE model_id = $1 AND task_id = $2 AND training_mode = $3 AND steps = $4
          AND ticket_id IS NULL AND weight_init = 'PRETRAINED' AND seed = ANY($5)`,
      [modelId, taskId, mode, steps, seeds],
    )) as unknown[];
    return rows.length === seeds.length;
  }

  private async get(id: string): Promise<Run> {
    const run = isUuid(id) ? await this.repo.findOneBy({ id }) : null;
    if (!run) throw new NotFoundError('run', id);
    return run;
  }

  /** QUEUED or RUNNING → CANCELLED at once; a worker running it stops within its ownership poll. */
  async cancel(id: string): Promise<Run> {
    const run = await this.get(id);
    const ids = (returned<{ id: string }>(await this.ds.query(
      `UPDATE run SET status = 'CANCELLED', finished_at = now(), claim_token = NULL, phase = NULL
        WHERE (id = $1 OR parent_id = $1) AND status IN ('QUEUED', 'RUNNING') RETURNING id`,
      [run.id],
    ))).map((r) => r.id);
    if (!ids.includes(run.id)) throw new ConflictError(`run ${run.id} is ${run.status}; only QUEUED or RUNNING runs can be cancelled`);
    for (const r of ids) await publishRunEvent(this.ds, { runId: r, status: RunStatus.CANCELLED, message: 'cancelled on request' });
    await settleParent(this.ds, run.parentId);
    return this.get(run.id);
  }

  /** FAILED or CANCELLED → QUEUED again; stored results are kept and not recomputed. */
  async retry(id: string): Promise<Run> {
    const run = await this.get(id);
    const ids = (returned<{ id: string; kind: string }>(await this.ds.query(
      `UPDATE run SET status = CASE WHEN kind = 'TRANSFER' THEN 'RUNNING' ELSE 'QUEUED' END, error = NULL, finished_at = NULL,
              phase = CASE WHEN kind = 'TRANSFER' THEN NULL ELSE 'queued again on request' END
        WHERE (id = $1 OR (parent_id = $1 AND $2 = 'TRANSFER')) AND status IN ('FAILED', 'CANCELLED') RETURNING id, kind`,
      [run.id, run.kind],
    )));
    if (!ids.some((r) => r.id === run.id)) throw new ConflictError(`run ${run.id} is ${run.status}; only FAILED or CANCELLED runs can be retried`);
    const toQueue = ids.filter((r) => r.kind !== RunKind.TRANSFER).map((r) => ({ id: r.id }));
    if (toQueue.length) await this.enqueue(await this.repo.findBy(toQueue));
    if (run.kind === RunKind.TRANSFER) await publishRunEvent(this.ds, { runId: run.id, status: RunStatus.RUNNING });
    if (run.parentId) {
      await this.ds.query(`UPDATE run SET status = 'RUNNING', finished_at = NULL, error = NULL WHERE id = $1 AND status IN ('FAILED', 'CANCELLED')`, [run.parentId]);
    }
    return this.get(run.id);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
