/**
 * importModel: a UNITER-style checkpoint (safetensors, UNITER parameter names) and its config,
 * read from $TICKETLAB_HOME/imports, checked completely, stored in the artifact store as the
 * canonical F32 encoder file the workers load, and registered as a Model (source IMPORTED).
 * Nothing is stored unless every check passes; the weights file appears only verified.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { DataSource } from 'typeorm';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from '../core/io/safetensors';
import { headerLength, parseHeader, type SafetensorsHeader } from '../core/io/safetensors-header';
import type { ModelConfig } from '../core/model/config';
import { encoderParamSpecs } from '../core/model/names';
import { MAX_WEIGHTS_FILE_BYTES } from '../core/model/weights';
import { BadInputError } from '../kit/errors';
import { parameterCounts } from '../jobs/models';
import { Model } from '../model/model.entity';
import { sha256, writeVerified, type VerifiedWriteOptions } from '../artifacts/verified-write';
import { configFromJson, mergeConfig, type ConfigFields } from './model-config';
import { importsDir, resolveImportPath } from './paths';
import { checkHeaderFits, listSome, nonFinite } from '../core/io/weights-check';

/** Largest safetensors header read (the format's own limit is 100 MB; UNITER-large needs ~40 kB). */
export const MAX_IMPORT_HEADER_BYTES = 16 * 1024 * 1024;
const MAX_CONFIG_BYTES = 1024 * 1024;

export interface ImportModelRequest {
  name: string;
  path: string;
  configPath?: string | null;
  config?: ConfigFields | null;
  ignoreUnknownWeights?: boolean | null;
}

export class ModelImporter {
  constructor(
    private readonly ds: DataSource,
    private readonly home: string,
    private readonly writeOpts: VerifiedWriteOptions = {},
  ) {}

  async importModel(req: ImportModelRequest): Promise<Model> {
    const name = (req.name ?? '').trim();
    if (name.length === 0 || name.length > 100) throw new BadInputError('name: must be 1..100 characters');
    if (await this.nameTaken(name))
      throw new BadInputError(`name: a model named ${JSON.stringify(name)} already exists`);
    const file = resolveImportPath(this.home, 'path', req.path, 'file');
    const fromFile = req.configPath ? readConfigFile(this.home, req.configPath) : {};
    const config = mergeConfig(fromFile, req.config ?? {});
    const size = fs.statSync(file).size;
    if (size > MAX_WEIGHTS_FILE_BYTES)
      throw new BadInputError(`path: ${size} bytes exceeds the limit of ${MAX_WEIGHTS_FILE_BYTES} bytes`);

    const header = readHeader(file, size);
    const fit = checkHeaderFits(config, header.tensors, req.ignoreUnknownWeights === true);
    if (fit.problems.length)
      throw new BadInputError(`path: the checkpoint does not fit the config: ${fit.problems.join('; ')}`);
    const raw = fs.readFileSync(file);
    if (raw.length !== size) throw new BadInputError('path: the file changed while it was read');
    const weights = decodeWeights(raw, config);
    const bad = nonFinite(weights);
    if (bad.length) throw new BadInputError(`path: ${bad.length} weight(s) hold NaN or Infinity: ${listSome(bad)}`);

    const canonical = encodeSafetensors(
      encoderParamSpecs(config).map((s) => ({
        name: s.name,
        dtype: 'F32' as const,
        shape: s.shape,
        data: weights.get(s.name)!,
      })),
      {
        format: 'ticketlab-encoder',
        source: 'import',
        imported_from: path.relative(fs.realpathSync(importsDir(this.home)), file),
        source_sha256: sha256(raw),
      },
    );
    return this.store(name, config, canonical);
  }

  private async nameTaken(name: string): Promise<boolean> {
    return ((await this.ds.query(`SELECT 1 FROM model WHERE name = $1`, [name])) as unknown[]).length > 0;
  }

  /** Verified write, then the row; a row that cannot be written takes a new file away with it. */
  private async store(name: string, config: ModelConfig, bytes: Uint8Array): Promise<Model> {
    const artifacts = path.join(this.home, 'artifacts');
    const written = writeVerified(artifacts, bytes, '.safetensors', this.writeOpts);
    const counts = parameterCounts(config);
    let rows: Array<{ id: string }>;
    try {
      rows = (await this.ds.query(
        `INSERT INTO model (name, config, parameter_count, prunable_parameter_count, weights_sha256, source)
         VALUES ($1, $2, $3, $4, $5, 'IMPORTED') ON CONFLICT (name) DO NOTHING RETURNING id`,
        [name, JSON.stringify(config), counts.parameterCount, counts.prunableParameterCount, written.sha256],
      )) as Array<{ id: string }>;
    } catch (e) {
      if (written.created) fs.rmSync(written.path, { force: true });
      throw e;
    }
    if (!rows[0]) {
      if (written.created) fs.rmSync(written.path, { force: true });
      throw new BadInputError(`name: a model named ${JSON.stringify(name)} already exists`);
    }
    return (await this.ds.getRepository(Model).findOneBy({ id: rows[0].id }))!;
  }
}

function readConfigFile(home: string, given: string): ConfigFields {
  const file = resolveImportPath(home, 'configPath', given, 'file');
  const size = fs.statSync(file).size;
  if (size > MAX_CONFIG_BYTES)
    throw new BadInputError(`configPath: ${size} bytes; a config is at most ${MAX_CONFIG_BYTES} bytes`);
  return configFromJson(fs.readFileSync(file, 'utf8'), 'configPath');
}

/** The header alone (8 + N bytes), validated: lengths, JSON, dtypes, shapes, offsets tiling the data. */
function readHeader(file: string, size: number): SafetensorsHeader {
  const fd = fs.openSync(file, 'r');
  try {
    const len = Buffer.alloc(8);
    if (fs.readSync(fd, len, 0, 8, 0) !== 8)
      throw new SafetensorsError(`file too short (${size} bytes): no 8-byte header length`);
    const n = headerLength(len, size, MAX_IMPORT_HEADER_BYTES);
    const head = Buffer.alloc(8 + n);
    if (fs.readSync(fd, head, 0, 8 + n, 0) !== 8 + n)
      throw new SafetensorsError('file changed while its header was read');
    return parseHeader(head, size, { maxHeaderBytes: MAX_IMPORT_HEADER_BYTES });
  } catch (e) {
    if (e instanceof SafetensorsError) throw new BadInputError(`path: not a valid safetensors file: ${e.message}`);
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}

function decodeWeights(raw: Buffer, config: ModelConfig): Map<string, Float32Array> {
  let decoded;
  try {
    decoded = decodeSafetensors(raw, { maxHeaderBytes: MAX_IMPORT_HEADER_BYTES, skipUnsupported: true });
  } catch (e) {
    throw new BadInputError(`path: could not decode the checkpoint: ${e instanceof Error ? e.message : String(e)}`);
  }
  const out = new Map<string, Float32Array>();
  for (const s of encoderParamSpecs(config)) out.set(s.name, decoded.tensors.get(s.name)!.data as Float32Array);
  return out;
}
