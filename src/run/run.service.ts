import type { DataSource, Repository } from 'typeorm';
import { paginate, type Connection, type PageArgs } from '../kit/connection';
import { BadInputError, NotFoundError } from '../kit/errors';
import { filterId, isUuid } from '../kit/ids';
import { Run } from './run.entity';
import type { RunEvent } from './run-event.type';
import type { RunEventPayload } from '../lifecycle/run-events';
import type { RunFilter } from './run.input';

export interface MetricSeriesData {
  name: string;
  points: Array<{ step: number; value: number }>;
}

export const DEFAULT_SERIES_POINTS = 200;
export const MAX_SERIES_POINTS = 10_000;

export class RunService {
  private readonly repo: Repository<Run>;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(Run);
  }

  list(filter: RunFilter | null | undefined, page: PageArgs): Promise<Connection<Run>> {
    const f = filter ?? {};
    const qb = this.repo.createQueryBuilder('r');
    const parentId = filterId('parentId', f.parentId);
    if (f.kind) qb.andWhere('r.kind = :kind', { kind: f.kind });
    if (f.status) qb.andWhere('r.status = :status', { status: f.status });
    if (parentId) qb.andWhere('r.parent_id = :parentId', { parentId });
    return paginate(qb, 'r', page);
  }

  async get(id: string): Promise<Run> {
    const found = isUuid(id) ? await this.repo.findOneBy({ id }) : null;
    if (!found) throw new NotFoundError('run', id);
    return found;
  }

  children(id: string): Promise<Run[]> {
    return this.repo.find({ where: { parentId: id }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * Metric history as one series per name, each downsampled in SQL to at most `points` points:
   * the n stored points are cut into `points` equal index buckets and the first point of each
   * bucket is kept, so the first and last points always survive.
   */
  async metrics(
    runId: string,
    names: string[] | null | undefined,
    points: number | null | undefined,
  ): Promise<MetricSeriesData[]> {
    const p = points ?? DEFAULT_SERIES_POINTS;
    if (!Number.isInteger(p) || p < 2 || p > MAX_SERIES_POINTS) {
      throw new BadInputError(`points must be between 2 and ${MAX_SERIES_POINTS}, got ${p}`);
    }
    const rows = (await this.ds.query(
      `WITH s AS (
         SELECT name, step, value,
                row_number() OVER (PARTITION BY name ORDER BY step, id) - 1 AS i,
                count(*) OVER (PARTITION BY name) AS n
           FROM metric_point
          WHERE run_id = $1 AND ($2::text[] IS NULL OR name = ANY($2)))
       SELECT name, step, value FROM s
        WHERE n <= $3 OR i = 0 OR (i * ($3 - 1)) / (n - 1) <> ((i - 1) * ($3 - 1)) / (n - 1)
        ORDER BY name, step, i`,
      [runId, names ?? null, p],
    )) as Array<{ name: string; step: number; value: number }>;
    const series = new Map<string, MetricSeriesData>();
    for (const r of rows) {
      let s = series.get(r.name);
      if (!s) series.set(r.name, (s = { name: r.name, points: [] }));
      s.points.push({ step: r.step, value: r.value });
    }
    return [...series.values()];
  }

  /** A published payload completed from the run's current row (payload values win). */
  async eventFromPayload(p: RunEventPayload): Promise<RunEvent> {
    const run = await this.repo.findOneBy({ id: p.runId });
    if (!run && p.status === undefined) throw new NotFoundError('run', p.runId);
    return {
      runId: p.runId,
      status: p.status ?? run!.status,
      step: p.step ?? run?.step ?? 0,
      totalSteps: p.totalSteps !== undefined ? p.totalSteps : (run?.totalSteps ?? null),
      progress: p.progress ?? run?.progress ?? 0,
      phase: p.phase !== undefined ? p.phase : (run?.phase ?? null),
      metrics: p.metrics ?? null,
      message: p.message ?? null,
      at: p.at ? new Date(p.at) : new Date(),
    };
  }
}
