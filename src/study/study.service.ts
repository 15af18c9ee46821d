/** Reading, starting and cancelling studies. */
import type { DataSource } from 'typeorm';
import type { StudyConfig } from '../config';
import { paginate, type Connection, type PageArgs } from '../kit/connection';
import { ConflictError, NotFoundError } from '../kit/errors';
import { isUuid } from '../kit/ids';
import * as lifecycle from '../lifecycle/run-lifecycle';
import { Run } from '../run/run.entity';
import { RunStatus } from '../run/run.enums';
import type { LaunchService } from '../run/run.launch';
import { advanceStudy } from './study.advance';
import { publishStudyEvent } from './study-event';
import { Study } from './study.entity';
import type { StudyInput } from './study.input';
import { planAndStore } from './study.plan';
import { studyCost } from './study.data';
import type { StudyCost } from './study.types';

export class StudyService {
  constructor(
    private readonly ds: DataSource,
    private readonly launch: LaunchService,
    private readonly cfg: StudyConfig,
    private readonly log: (l: string) => void = () => undefined,
  ) {}

  list(page: PageArgs): Promise<Connection<Study>> {
    return paginate(this.ds.getRepository(Study).createQueryBuilder('s'), 's', page);
  }

  async get(id: string): Promise<Study> {
    const found = isUuid(id) ? await this.ds.getRepository(Study).findOneBy({ id }) : null;
    if (!found) throw new NotFoundError('study', id);
    return found;
  }

  async start(i: StudyInput): Promise<Study> {
    const { study, created } = await planAndStore(this.ds, i, this.cfg);
    if (created) {
      // Its first runs start now; if this fails the study stays QUEUED and the driver's sweep retries.
      await this.advance(study.id);
    }
    return this.get(study.id);
  }

  async advance(id: string): Promise<void> {
    try {
      await advanceStudy(this.ds, this.launch, id);
    } catch (e) {
      this.log(`study ${id}: could not advance (${e instanceof Error ? e.message : String(e)}); retried by the sweep`);
    }
  }

  /**
   * CANCELLED at once; its unfinished runs are cancelled too, except runs another unfinished study
   * also uses (they are that study's as much as this one's).
   */
  async cancel(id: string): Promise<Study> {
    const study = await this.get(id);
    const rows = (await this.ds.query(
      `WITH t AS (UPDATE study SET status = 'CANCELLED', finished_at = now(), updated_at = now()
                   WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') RETURNING id) SELECT id FROM t`,
      [study.id],
    )) as unknown[];
    if (rows.length === 0)
      throw new ConflictError(`study ${study.id} is ${study.status}; only QUEUED or RUNNING studies can be cancelled`);
    const runs = (await this.ds.query(
      `SELECT DISTINCT s.run_id FROM study_step s JOIN run r ON r.id = s.run_id
        WHERE s.study_id = $1 AND r.status IN ('QUEUED', 'RUNNING')
          AND NOT EXISTS (SELECT 1 FROM study_step o JOIN study os ON os.id = o.study_id
                           WHERE o.run_id = s.run_id AND o.study_id <> $1 AND os.status IN ('QUEUED', 'RUNNING'))`,
      [study.id],
    )) as Array<{ run_id: string }>;
    for (const r of runs) {
      const [run] = (await this.ds.query(`SELECT parent_id FROM run WHERE id = $1`, [r.run_id])) as Array<{
        parent_id: string | null;
      }>;
      await lifecycle.cancel(this.ds, r.run_id);
      await lifecycle.settleParent(this.ds, run?.parent_id ?? null);
    }
    const after = await this.get(study.id);
    const counts = await this.counts(study.id);
    await publishStudyEvent(this.ds, {
      studyId: study.id,
      status: RunStatus.CANCELLED,
      progress: after.progress,
      runsDone: counts.done,
      runsTotal: counts.total,
      message: `cancelled; ${runs.length} unfinished run(s) cancelled`,
    });
    return after;
  }

  runs(id: string, page: PageArgs): Promise<Connection<Run>> {
    const qb = this.ds
      .getRepository(Run)
      .createQueryBuilder('r')
      .where('r.id IN (SELECT run_id FROM study_step WHERE study_id = :id)', { id });
    return paginate(qb, 'r', page);
  }

  async counts(id: string): Promise<{ done: number; total: number }> {
    const [c] = (await this.ds.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE r.status IN ('SUCCEEDED','FAILED','CANCELLED'))::int AS done
         FROM study_step s LEFT JOIN run r ON r.id = s.run_id WHERE s.study_id = $1`,
      [id],
    )) as Array<{ total: number; done: number }>;
    return c;
  }

  cost(id: string): Promise<StudyCost> {
    return studyCost(this.ds, id);
  }
}
