/**
 * GET /export/models/{id}/weights.safetensors: a model's θ0 as stored (the shipped file for the
 * built-in model, else the artifact store's), so a notebook can apply a downloaded mask to the
 * weights it masks without access to the server's disk.
 */
import * as fs from 'fs';
import type { Express } from 'express';
import type { DataSource } from 'typeorm';
import { isUuid } from '../kit/ids';
import { modelRow, weightsRef } from '../jobs/models';
import { builtinModelDir } from '../core/model/builtin';
import type { ExportGuard } from './export.auth';
import { handle, HttpError, notFound } from './export.errors';
import * as path from 'path';

export function mountWeightsRoute(
  app: Express,
  ds: DataSource,
  authorize: ExportGuard,
  artifactsDir: string,
  log: (err: unknown) => void,
): void {
  app.get(
    '/export/models/:id/weights.safetensors',
    handle(async (req, res) => {
      await authorize(req);
      const id = String(req.params.id);
      const model = isUuid(id) ? await modelRow(ds, id) : null;
      if (!model) throw notFound('model', id);
      const ref = model.weights_sha256 || model.source === 'BUILTIN' ? weightsRef(model, artifactsDir) : null;
      const file =
        ref === null ? null : ref.kind === 'builtin' ? path.join(builtinModelDir(), 'model.safetensors') : ref.weights;
      if (!file || !fs.existsSync(file))
        throw new HttpError(404, 'NOT_FOUND', `the weights of model "${model.name}" are not stored on this server`);
      const size = fs.statSync(file).size;
      res.status(200);
      res.setHeader('content-type', 'application/octet-stream');
      res.setHeader('content-length', String(size));
      res.setHeader('content-disposition', `attachment; filename="${model.name.replace(/[^\w.-]/g, '_')}.safetensors"`);
      if (req.method === 'HEAD') return void res.end();
      await new Promise<void>((resolve, reject) => {
        const stream = fs.createReadStream(file);
        stream.once('error', reject);
        res.once('close', () => {
          stream.destroy();
          resolve();
        });
        stream.pipe(res);
      });
    }, log),
  );
}
