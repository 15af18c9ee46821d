/**
 * HTTP exports for notebooks (DESIGN §7): a ticket's mask as safetensors, evaluations as CSV,
 * a run's metric history as CSV. Errors are JSON `{ error, message }` with 400/404/409/500.
 */
import { once } from 'events';
import type { Express, Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { TrainingMode, WeightInit } from '../evaluation/evaluation.enums';
import { isUuid } from '../kit/ids';
import { MaskLayoutError } from '../ticket/ticket.layers';
import { allowAll, type ExportGuard } from './export.auth';
import { badRequest, handle, HttpError, notFound } from './export.errors';
import { ExportService, type EvaluationCsvFilter } from './export.service';
import { csvRow } from './csv';
import { maskFile } from './mask-stream';
import { mountWeightsRoute } from './weights.route';
import { reportCsvRows, REPORT_CSV_COLUMNS, studyReportData } from '../study/study.export';

export interface ExportOptions {
  /** the access check run before every export (see export.auth.ts). */
  authorize?: ExportGuard;
  log?: (err: unknown) => void;
  /** the artifact store holding models' weights ($TICKETLAB_HOME/artifacts). */
  artifactsDir: string;
}

/** Writes with backpressure; resolves false when the client went away. */
async function write(res: Response, chunk: string | Uint8Array): Promise<boolean> {
  if (res.destroyed) return false;
  if (res.write(chunk)) return true;
  await Promise.race([once(res, 'drain'), once(res, 'close')]);
  return !res.destroyed;
}

/** One optional string query parameter; repeated or non-string values are a 400. */
function single(req: Request, name: string): string | undefined {
  const v = (req.query as Record<string, unknown>)[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badRequest(`query parameter ${name} must be given once`);
  if (v.includes('\u0000')) throw badRequest(`query parameter ${name} contains a NUL byte`);
  return v;
}

function idParam(req: Request, name: string): string | undefined {
  const v = single(req, name);
  if (v !== undefined && !isUuid(v)) throw badRequest(`${name} ${JSON.stringify(v)} is not a valid id`);
  return v;
}

function enumParam<T extends string>(req: Request, name: string, values: Record<string, T>): T | undefined {
  const v = single(req, name);
  if (v !== undefined && !Object.values(values).includes(v as T)) {
    throw badRequest(`${name} must be one of ${Object.values(values).join(', ')}, not ${JSON.stringify(v)}`);
  }
  return v as T | undefined;
}

const EVALUATION_PARAMS = new Set(['modelId', 'taskId', 'ticketId', 'runId', 'weightInit', 'trainingMode', 'dense']);

function evaluationFilter(req: Request): EvaluationCsvFilter {
  const unknown = Object.keys(req.query as object).filter((k) => !EVALUATION_PARAMS.has(k));
  if (unknown.length)
    throw badRequest(`unknown query parameter ${unknown[0]}; accepted: ${[...EVALUATION_PARAMS].join(', ')}`);
  const dense = single(req, 'dense');
  if (dense !== undefined && dense !== 'true' && dense !== 'false') throw badRequest('dense must be true or false');
  return {
    modelId: idParam(req, 'modelId'),
    taskId: idParam(req, 'taskId'),
    ticketId: idParam(req, 'ticketId'),
    runId: idParam(req, 'runId'),
    weightInit: enumParam(req, 'weightInit', WeightInit),
    trainingMode: enumParam(req, 'trainingMode', TrainingMode),
    dense: dense === undefined ? undefined : dense === 'true',
  };
}

const EVALUATION_COLUMNS = [
  'id',
  'created_at',
  'model_id',
  'model_name',
  'task_id',
  'task_name',
  'task_kind',
  'ticket_id',
  'ticket_method',
  'ticket_sparsity',
  'ticket_level',
  'weight_init',
  'training_mode',
  'seed',
  'steps',
  'score',
  'relative_score',
  'run_id',
] as const;

function csvHeaders(res: Response, filename: string): void {
  res.status(200);
  res.setHeader('content-type', 'text/csv; charset=utf-8; header=present');
  res.setHeader('content-disposition', `attachment; filename="${filename}"`);
}

export function mountExportRoutes(app: Express, ds: DataSource, opts: ExportOptions): void {
  const authorize = opts.authorize ?? allowAll;
  const log = opts.log ?? ((err: unknown) => console.error('[ticketlab] export failed:', err));
  const service = new ExportService(ds);

  app.get(
    '/export/tickets/:id/mask.safetensors',
    handle(async (req, res) => {
      await authorize(req);
      const id = String(req.params.id);
      const found = isUuid(id)
        ? await service.ticketMask(id).catch((err: unknown) => {
            if (err instanceof MaskLayoutError) throw new HttpError(409, 'CONFLICT', err.message);
            throw err;
          })
        : null;
      if (!found) throw notFound('ticket', id);
      const file = maskFile(found.mask, {
        'ticketlab.ticket': id,
        'ticketlab.model': found.modelId,
        'ticketlab.model_name': found.modelName,
      });
      res.status(200);
      res.setHeader('content-type', 'application/octet-stream');
      res.setHeader('content-length', String(file.size));
      res.setHeader('content-disposition', `attachment; filename="ticket-${id}-mask.safetensors"`);
      if (req.method === 'HEAD') return void res.end();
      if (!(await write(res, file.header))) return;
      for (const t of file.tensors()) if (!(await write(res, t))) return;
      res.end();
    }, log),
  );

  app.get(
    '/export/evaluations.csv',
    handle(async (req, res) => {
      await authorize(req);
      const filter = evaluationFilter(req);
      const metricNames = await service.metricNames(filter);
      csvHeaders(res, 'evaluations.csv');
      if (!(await write(res, csvRow([...EVALUATION_COLUMNS, ...metricNames.map((n) => `metrics.${n}`)])))) return;
      for await (const batch of service.evaluations(filter)) {
        const text = batch
          .map((r) => csvRow([...EVALUATION_COLUMNS.map((c) => r[c]), ...metricNames.map((n) => r.metrics[n])]))
          .join('');
        if (!(await write(res, text))) return;
      }
      res.end();
    }, log),
  );

  app.get(
    '/export/studies/:id/report.json',
    handle(async (req, res) => {
      await authorize(req);
      const id = String(req.params.id);
      const report = isUuid(id) ? await studyReportData(ds, id) : null;
      if (!report) throw notFound('study', id);
      res.status(200).json(report);
    }, log),
  );

  app.get(
    '/export/studies/:id/report.csv',
    handle(async (req, res) => {
      await authorize(req);
      const id = String(req.params.id);
      const report = isUuid(id) ? await studyReportData(ds, id) : null;
      if (!report) throw notFound('study', id);
      csvHeaders(res, `study-${id}-report.csv`);
      res.end(csvRow(REPORT_CSV_COLUMNS) + reportCsvRows(report).map(csvRow).join(''));
    }, log),
  );

  app.get(
    '/export/runs/:id/metrics.csv',
    handle(async (req, res) => {
      await authorize(req);
      const id = String(req.params.id);
      const unknown = Object.keys(req.query as object).filter((k) => k !== 'name');
      if (unknown.length) throw badRequest(`unknown query parameter ${unknown[0]}; accepted: name (repeatable)`);
      const raw = (req.query as Record<string, unknown>).name;
      const names = raw === undefined ? null : (Array.isArray(raw) ? raw : [raw]).map(String);
      // Checked before the 200 is sent: PostgreSQL would refuse a NUL midway through the body.
      if (names?.some((n) => n.includes('\u0000') || n.length > 200))
        throw badRequest('name must be a metric name: at most 200 characters, no NUL byte');
      if (!isUuid(id) || !(await service.runExists(id))) throw notFound('run', id);
      csvHeaders(res, `run-${id}-metrics.csv`);
      if (!(await write(res, csvRow(['step', 'name', 'value'])))) return;
      for await (const batch of service.metricPoints(id, names)) {
        if (!(await write(res, batch.map((p) => csvRow([p.step, p.name, p.value])).join('')))) return;
      }
      res.end();
    }, log),
  );

  mountWeightsRoute(app, ds, authorize, opts.artifactsDir, log);
}
