/**
 * importTask: a dataset directory under $TICKETLAB_HOME/imports (format: src/import/FORMATS.md)
 * is validated row by row, normalised (token ids, label indices, one region table) and stored in
 * the artifact store (verified writes), then registered as a Task row (builtIn false) whose params
 * name the stored files. Runs read those files (jobs/handlers/common.ts, core/data/imported.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { DataSource } from 'typeorm';
import { encodeSafetensors } from '../core/io/safetensors';
import type { TaskKind } from '../core/data/types';
import type { ModelConfig } from '../core/model/config';
import { VOCAB_SIZE } from '../core/data/vocab';
import { BadInputError } from '../kit/errors';
import { BUILTIN_TASKS } from '../task/task.builtin';
import { Task } from '../task/task.entity';
import { writeVerified, type VerifiedWriteOptions } from '../artifacts/verified-write';
import { validateRow, type Normalised, type RowContext } from '../core/data/dataset-rows';
import { importsDir, resolveImportPath, resolveInside } from './paths';
import { BOX_DIM, readNpyRegions, readSafetensorsRegions, type RegionTable } from './regions';

export const DATASET_FORMAT = 'ticketlab-dataset-1';
export const SPLITS = ['train', 'val', 'test'] as const;
const MAX_JSONL_BYTES = 512 * 1024 * 1024;
const MAX_ROWS = 2_000_000;
const SHOWN_PROBLEMS = 10;

export interface ImportTaskRequest {
  name: string;
  kind: TaskKind;
  path: string;
}

interface Manifest {
  kind?: TaskKind;
  text: 'words' | 'ids';
  vocabSize: number;
  answers: string[];
}

export class TaskImporter {
  constructor(
    private readonly ds: DataSource,
    private readonly home: string,
    private readonly writeOpts: VerifiedWriteOptions = {},
  ) {}

  async importTask(req: ImportTaskRequest): Promise<Task> {
    const name = (req.name ?? '').trim();
    if (name.length === 0 || name.length > 100) throw new BadInputError('name: must be 1..100 characters');
    if (((await this.ds.query(`SELECT 1 FROM task WHERE name = $1`, [name])) as unknown[]).length)
      throw new BadInputError(`name: a task named ${JSON.stringify(name)} already exists`);
    const dir = resolveImportPath(this.home, 'path', req.path, 'directory');
    const manifest = readManifest(this.home, dir, req.kind);
    const regions = this.readRegions(dir);
    const ctx: RowContext = {
      kind: req.kind,
      text: manifest.text,
      vocabSize: manifest.vocabSize,
      answers: manifest.answers,
      regionsOf: (id) => regions.images.get(id)?.count,
    };
    const { lines, sizes, longest } = this.readSplits(dir, ctx);

    const regionFile = encodeRegions(regions);
    const annotations = Buffer.from(lines.join('\n') + '\n', 'utf8');
    const artifacts = path.join(this.home, 'artifacts');
    const created: string[] = [];
    try {
      const ann = writeVerified(artifacts, annotations, '.jsonl', this.writeOpts);
      if (ann.created) created.push(ann.path);
      const reg = writeVerified(artifacts, regionFile, '.safetensors', this.writeOpts);
      if (reg.created) created.push(reg.path);
      const params = {
        source: 'IMPORTED',
        format: DATASET_FORMAT,
        importedFrom: path.relative(fs.realpathSync(importsDir(this.home)), dir),
        text: manifest.text,
        vocabSize: manifest.vocabSize,
        answers: manifest.answers.length ? manifest.answers : undefined,
        regionFeatureDim: regions.dim,
        images: regions.images.size,
        longestText: longest,
        mostRegions: Math.max(...[...regions.images.values()].map((i) => i.count)),
        files: { annotations: ann.sha256, regions: reg.sha256 },
      };
      const metric = BUILTIN_TASKS.find((b) => b.kind === req.kind)!.metric;
      const rows = (await this.ds.query(
        `INSERT INTO task (name, kind, metric, built_in, train_size, val_size, test_size, params)
         VALUES ($1, $2, $3, false, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING RETURNING id`,
        [name, req.kind, metric, sizes.train, sizes.val, sizes.test, JSON.stringify(params)],
      )) as Array<{ id: string }>;
      if (!rows[0]) throw new BadInputError(`name: a task named ${JSON.stringify(name)} already exists`);
      return (await this.ds.getRepository(Task).findOneBy({ id: rows[0].id }))!;
    } catch (e) {
      for (const f of created) fs.rmSync(f, { force: true });
      throw e;
    }
  }

  private readRegions(dir: string): RegionTable {
    const st = resolveInside(this.home, 'path', dir, 'regions.safetensors', false);
    if (st) return readSafetensorsRegions(st);
    const f = resolveInside(this.home, 'path', dir, 'features.npy', false);
    if (!f)
      throw new BadInputError(
        'path: the dataset directory has neither regions.safetensors nor features.npy + boxes.npy + images.json',
      );
    return readNpyRegions(
      f,
      resolveInside(this.home, 'path', dir, 'boxes.npy', true)!,
      resolveInside(this.home, 'path', dir, 'images.json', true)!,
    );
  }

  /** Every row of every split, validated; the first problems and the count of bad rows in one error. */
  private readSplits(
    dir: string,
    ctx: RowContext,
  ): { lines: string[]; sizes: Record<string, number>; longest: number } {
    const lines: string[] = [];
    const sizes: Record<string, number> = { train: 0, val: 0, test: 0 };
    const problems: string[] = [];
    let badRows = 0;
    let longest = 0;
    for (const split of SPLITS) {
      const file = resolveInside(this.home, 'path', dir, `${split}.jsonl`, split === 'train');
      if (!file) continue;
      const size = fs.statSync(file).size;
      if (size > MAX_JSONL_BYTES)
        throw new BadInputError(`path: ${split}.jsonl has ${size} bytes, more than ${MAX_JSONL_BYTES}`);
      const text = fs.readFileSync(file, 'utf8');
      let lineNo = 0;
      for (const line of text.split('\n')) {
        lineNo++;
        if (line.trim() === '') continue;
        if (sizes[split] >= MAX_ROWS) throw new BadInputError(`path: ${split}.jsonl has more than ${MAX_ROWS} rows`);
        const where = `${split}.jsonl line ${lineNo}`;
        let row: unknown;
        try {
          row = JSON.parse(line);
        } catch (e) {
          badRows++;
          if (problems.length < SHOWN_PROBLEMS) problems.push(`${where}: not valid JSON (${(e as Error).message})`);
          continue;
        }
        const r = validateRow(row, ctx);
        if (!r.example) {
          badRows++;
          if (problems.length < SHOWN_PROBLEMS)
            problems.push(`${where}: ${r.problems.map((p) => `field "${p.field}" ${p.why}`).join('; ')}`);
          continue;
        }
        longest = Math.max(longest, longestText(r.example));
        sizes[split]++;
        lines.push(JSON.stringify({ split, ...r.example }));
      }
    }
    if (badRows)
      throw new BadInputError(
        `path: ${badRows} bad row(s); first ${Math.min(badRows, SHOWN_PROBLEMS)}: ${problems.join(' | ')}`,
      );
    if (sizes.train === 0) throw new BadInputError('path: train.jsonl has no rows');
    return { lines, sizes, longest };
  }
}

function readManifest(home: string, dir: string, kind: TaskKind): Manifest {
  const file = resolveInside(home, 'path', dir, 'dataset.json', true)!;
  if (fs.statSync(file).size > 16 * 1024 * 1024) throw new BadInputError('dataset.json: larger than 16 MB');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new BadInputError(`dataset.json: not valid JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new BadInputError('dataset.json: must be a JSON object');
  const o = raw as Record<string, unknown>;
  if (o.kind !== undefined && o.kind !== kind)
    throw new BadInputError(`dataset.json: kind is ${JSON.stringify(o.kind)}, the request says ${kind}`);
  const text = o.text ?? 'words';
  if (text !== 'words' && text !== 'ids') throw new BadInputError('dataset.json: text must be "words" or "ids"');
  let vocabSize = VOCAB_SIZE;
  if (text === 'ids') {
    if (
      typeof o.vocabSize !== 'number' ||
      !Number.isInteger(o.vocabSize) ||
      o.vocabSize < 5 ||
      o.vocabSize > 1_000_000
    ) {
      throw new BadInputError('dataset.json: vocabSize (an integer in 5..1000000) is required when text is "ids"');
    }
    vocabSize = o.vocabSize;
  }
  let answers: string[] = [];
  if (kind === 'VQA' || kind === 'GQA') {
    if (
      !Array.isArray(o.answers) ||
      o.answers.length < 2 ||
      o.answers.length > 100_000 ||
      !o.answers.every((a) => typeof a === 'string')
    ) {
      throw new BadInputError(`dataset.json: answers (the ${kind} answer classes, 2..100000 strings) is required`);
    }
    answers = o.answers as string[];
    if (new Set(answers).size !== answers.length)
      throw new BadInputError('dataset.json: answers must not repeat a class');
  }
  return { kind, text, vocabSize, answers };
}

const TEXT_FIELDS = ['question', 'hypothesis', 'expression', 'caption', 'statement'];

function longestText(e: Normalised): number {
  let n = 0;
  for (const k of TEXT_FIELDS) if (Array.isArray(e[k])) n = Math.max(n, (e[k] as number[]).length);
  // VCR: the longest question + answer + rationale the batch builder will join.
  if (Array.isArray(e.rationales)) {
    const q = (e.question as number[]).length;
    const a = Math.max(...(e.answers as number[][]).map((t) => t.length));
    const r = Math.max(...(e.rationales as number[][]).map((t) => t.length));
    n = Math.max(n, q + a + r + 2);
  }
  return n;
}

/** One F32 table of all regions; the image index (id, first row, count) rides in the metadata. */
function encodeRegions(t: RegionTable): Buffer {
  const total = [...t.images.values()].reduce((a, i) => a + i.count, 0);
  const features = new Float32Array(total * t.dim);
  const boxes = new Float32Array(total * BOX_DIM);
  const index: Array<[string, number, number]> = [];
  let row = 0;
  for (const [id, img] of t.images) {
    features.set(img.features, row * t.dim);
    boxes.set(img.boxes, row * BOX_DIM);
    index.push([id, row, img.count]);
    row += img.count;
  }
  return encodeSafetensors(
    [
      { name: 'features', dtype: 'F32', shape: [total, t.dim], data: features },
      { name: 'boxes', dtype: 'F32', shape: [total, BOX_DIM], data: boxes },
    ],
    { format: DATASET_FORMAT, images: JSON.stringify(index) },
  );
}

export interface TaskRow {
  name: string;
  kind: TaskKind;
  built_in: boolean;
  params: Record<string, unknown> | null;
  val_size: number;
  test_size: number;
}

export function isImportedTask(t: TaskRow): boolean {
  return !t.built_in && t.params?.source === 'IMPORTED';
}

/**
 * Why a model cannot be trained and tested on an imported task (null when it can): region
 * features of another dimension, token ids beyond its vocabulary, REFCOCO targets beyond the
 * regions it encodes, or no rows to test on.
 */
export function importedTaskProblem(t: TaskRow, config: ModelConfig): string | null {
  const p = t.params ?? {};
  const name = JSON.stringify(t.name);
  if (p.regionFeatureDim !== config.regionFeatureDim)
    return `task ${name} has region features of dimension ${String(p.regionFeatureDim)}; the model's regionFeatureDim is ${config.regionFeatureDim}`;
  const vocab = p.text === 'ids' ? Number(p.vocabSize) : VOCAB_SIZE;
  if (vocab > config.vocabSize)
    return `task ${name} uses token ids up to ${vocab - 1} (${p.text === 'ids' ? 'its vocabSize' : 'the built-in vocabulary'}); the model's vocabSize is ${config.vocabSize}`;
  if (t.kind === 'REFCOCO' && Number(p.mostRegions) > config.maxRegions)
    return `task ${name} has images with ${String(p.mostRegions)} regions, a target among them may lie beyond the model's maxRegions (${config.maxRegions})`;
  if (t.val_size + t.test_size === 0) return `task ${name} has no val or test rows to measure a score on`;
  return null;
}
