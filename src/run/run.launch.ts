/**
 * Starting, cancelling and retrying runs (the experiment mutations). A request is validated,
 * canonicalised and hashed; an identical QUEUED/RUNNING/SUCCEEDED run is returned instead of a
 * new one unless `force`. New runs are stored QUEUED and their job is sent to the queue; the run
 * row, not the job, is what workers trust.
 */
import { attackOf } from '../core/training/adversarial';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import { BadInputError, ConflictError, NotFoundError } from '../kit/errors';
import { isUuid } from '../kit/ids';
import { canonicalParams, paramsHash } from '../core/experiments/identity';
import { DEFAULTS_BY_KIND, EVALUATE_DEFAULTS, defaultSteps, type EvaluateParams } from '../core/experiments/params';
import { QueueSender } from '../jobs/queue';
import * as lifecycle from '../lifecycle/run-lifecycle';
import { Run } from './run.entity';
import { RunKind, RunStatus } from './run.enums';
import type { EvaluateInput, InstabilityInput, PretrainInput, PruningInput, TransferInput } from './run.launch.input';
import {
  MAX_TRANSFER_TASKS,
  MAX_TRANSFER_TICKETS,
  findModel,
  findTask,
  findTicket,
  intIn,
  seedsOf,
  validateEvaluate,
  validateInstability,
  validatePretrain,
  validatePruning,
} from './run.validate';

/** The parameters of one run kind (core/experiments/params.ts), as validated. */
type Params = object;

export class LaunchService {
  private readonly repo: Repository<Run>;
  private readonly queue: QueueSender;

  constructor(
    private readonly ds: DataSource,
    queue: QueueSender,
  ) {
    this.repo = ds.getRepository(Run);
    this.queue = queue;
  }

  /**
   * Existing identical run, or a new one (QUEUED, or RUNNING for a TRANSFER parent) announced in
   * the same transaction but not yet enqueued.
   */
  private async findOrCreate(
    m: EntityManager,
    kind: RunKind,
    params: Params,
    force: boolean,
    parentId: string | null = null,
  ): Promise<{ run: Run; created: boolean }> {
    const canonical = canonicalParams(params, DEFAULTS_BY_KIND[kind]);
    const hash = paramsHash(kind, canonical);
    // Serialises identical requests, so two at once cannot both create a run.
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [hash]);
    if (!force) {
      const same = await m
        .getRepository(Run)
        .createQueryBuilder('r')
        .where('r.params_hash = :hash AND r.kind = :kind AND r.status IN (:...st)', {
          hash,
          kind,
          st: ['QUEUED', 'RUNNING', 'SUCCEEDED'],
        })
        .orderBy('r.created_at', 'DESC')
        .getOne();
      if (same) return { run: same, created: false };
    }
    const parent = kind === RunKind.TRANSFER;
    const run = m.getRepository(Run).create({
      kind,
      status: parent ? RunStatus.RUNNING : RunStatus.QUEUED,
      startedAt: parent ? new Date() : null,
      params: canonical,
      paramsHash: hash,
      parentId,
      progress: 0,
      step: 0,
    });
    const saved = await m.getRepository(Run).save(run);
    // Announced before the job exists, so no worker's RUNNING event can overtake it.
    await lifecycle.queued(m, [saved.id]);
    return { run: saved, created: true };
  }

  private async enqueue(runs: Run[]): Promise<void> {
    for (const r of runs) {
      try {
        await this.queue.enqueue(r.id);
      } catch (e) {
        // Without a job nobody would ever run it: FAILED, so that retryRun can queue it again.
        await lifecycle.queueFailed(
          this.ds,
          r.id,
          `could not be queued: ${e instanceof Error ? e.message : String(e)}`,
        );
        throw e;
      }
    }
  }

  private async launch(kind: RunKind, params: Params, force: boolean): Promise<{ run: Run; created: boolean }> {
    const found = await this.ds.transaction((m) => this.findOrCreate(m, kind, params, force));
    if (found.created) await this.enqueue([found.run]);
    return found;
  }

  async pretrain(i: PretrainInput): Promise<Run> {
    return (await this.launch(RunKind.PRETRAIN, await validatePretrain(this.ds, i), !!i.force)).run;
  }

  async prune(i: PruningInput): Promise<Run> {
    return (await this.pruneOrReuse(i)).run;
  }

  async evaluate(i: EvaluateInput): Promise<Run> {
    return (await this.evaluateOrReuse(i)).run;
  }

  async instability(i: InstabilityInput): Promise<Run> {
    return (await this.launch(RunKind.INSTABILITY, await validateInstability(this.ds, i), !!i.force)).run;
  }

  /** startPruning, saying whether an identical stored or pending run was returned (created: false). */
  async pruneOrReuse(i: PruningInput): Promise<{ run: Run; created: boolean }> {
    return this.launch(RunKind.PRUNE, await validatePruning(this.ds, i), !!i.force);
  }

  /** evaluate, saying whether an identical stored or pending run was returned (created: false). */
  async evaluateOrReuse(i: EvaluateInput): Promise<{ run: Run; created: boolean }> {
    return this.launch(RunKind.EVALUATE, await validateEvaluate(this.ds, i), !!i.force);
  }

  /**
   * A TRANSFER parent (RUNNING from the start; its status follows its children) with one
   * EVALUATE child per (ticket, task), and a dense EVALUATE child per task whose dense baseline
   * (same model, mode, steps and seeds) is neither stored nor already scheduled.
   */
  async transfer(i: TransferInput): Promise<Run> {
    const model = await findModel(this.ds, 'modelId', i.modelId);
    if (i.ticketIds.length === 0 || i.ticketIds.length > MAX_TRANSFER_TICKETS)
      throw new BadInputError(`ticketIds: must list 1..${MAX_TRANSFER_TICKETS} tickets, got ${i.ticketIds.length}`);
    if (i.taskIds.length === 0 || i.taskIds.length > MAX_TRANSFER_TASKS)
      throw new BadInputError(`taskIds: must list 1..${MAX_TRANSFER_TASKS} tasks, got ${i.taskIds.length}`);
    const ticketIds = [
      ...new Set(await Promise.all(i.ticketIds.map((t, k) => findTicket(this.ds, `ticketIds[${k}]`, t, model.id)))),
    ];
    const tasks: Array<{ id: string; kind: Awaited<ReturnType<typeof findTask>> }> = [];
    for (const [k, t] of i.taskIds.entries()) {
      const kind = await findTask(this.ds, `taskIds[${k}]`, t, model);
      if (!tasks.some((x) => x.id === t.toLowerCase())) tasks.push({ id: t.toLowerCase(), kind });
    }
    const steps = intIn('steps', i.steps, 1, 100_000);
    const seeds = seedsOf('seeds', i.seeds);
    const trainingMode = i.trainingMode ?? undefined;
    // Sorted: the same tickets and tasks in another order are the same request.
    const params: Params = {
      modelId: model.id,
      ticketIds: [...ticketIds].sort(),
      taskIds: tasks.map((t) => t.id).sort(),
      trainingMode,
      attack: attackOf(trainingMode ?? 'STANDARD') || undefined,
      steps,
      seeds,
    };
    const toEnqueue: Run[] = [];
    const parent = await this.ds.transaction(async (m) => {
      const { run, created } = await this.findOrCreate(m, RunKind.TRANSFER, params, !!i.force);
      if (!created) return run;
      for (const task of tasks) {
        const child = (ticketId: string | undefined): Params =>
          ({
            modelId: model.id,
            taskId: task.id,
            ticketId,
            trainingMode,
            attack: attackOf(trainingMode ?? 'STANDARD') || undefined,
            steps,
            seeds,
          }) satisfies EvaluateParams;
        if (
          !(await this.denseCovered(
            m,
            model.id,
            task.id,
            trainingMode ?? EVALUATE_DEFAULTS.trainingMode,
            steps ?? defaultSteps(task.kind),
            seeds ?? [...EVALUATE_DEFAULTS.seeds],
          ))
        ) {
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
    if (toEnqueue.length === 0) await lifecycle.settleParent(this.ds, parent.id);
    return parent;
  }

  /** Dense evaluations for every seed are stored, or a dense run that will store them is pending. */
  private async denseCovered(
    m: EntityManager,
    modelId: string,
    taskId: string,
    mode: string,
    steps: number,
    seeds: number[],
  ): Promise<boolean> {
    const rows = (await m.query(
      `SELECT DISTINCT seed FROM evaluation WHERE model_id = $1 AND task_id = $2 AND training_mode = $3 AND steps = $4
          AND ticket_id IS NULL AND weight_init = 'PRETRAINED' AND seed = ANY($5) AND attack = $6`,
      [modelId, taskId, mode, steps, seeds, attackOf(mode)],
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
    const ids = await lifecycle.cancel(this.ds, run.id);
    if (!ids.includes(run.id))
      throw new ConflictError(`run ${run.id} is ${run.status}; only QUEUED or RUNNING runs can be cancelled`);
    await lifecycle.settleParent(this.ds, run.parentId);
    return this.get(run.id);
  }

  /** FAILED or CANCELLED → QUEUED again; stored results are kept and not recomputed. */
  async retry(id: string): Promise<Run> {
    const run = await this.get(id);
    const rows = await lifecycle.retry(this.ds, run.id, run.kind, run.parentId);
    if (!rows.some((r) => r.id === run.id))
      throw new ConflictError(`run ${run.id} is ${run.status}; only FAILED or CANCELLED runs can be retried`);
    const toQueue = rows.filter((r) => r.status === RunStatus.QUEUED).map((r) => ({ id: r.id }));
    if (toQueue.length) await this.enqueue(await this.repo.findBy(toQueue));
    return this.get(run.id);
  }
}
