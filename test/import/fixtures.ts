/** Files for import tests: tiny UNITER-style checkpoints and datasets written under a server's imports dir. */
import * as fs from 'fs';
import * as path from 'path';
import { encodeSafetensors, type EncodeTensor } from '../../src/core/io/safetensors';
import type { ModelConfig } from '../../src/core/model/config';
import { encoderParamSpecs } from '../../src/core/model/names';
import { Rng } from '../../src/core/rng';

/** Serves the built-in tasks (vocabulary 95 words, texts ≤ 24 tokens, ≤ 8 regions of dim 8). */
export const IMPORT_CONFIG: ModelConfig = {
  layers: 1,
  hidden: 16,
  heads: 2,
  intermediate: 32,
  vocabSize: 100,
  regionFeatureDim: 8,
  maxTextLength: 24,
  maxRegions: 8,
  dropout: 0,
};

export function importsOf(home: string): string {
  const d = path.join(home, 'imports');
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** Encoder tensors with seeded N(0, 0.02) values (name → data), in canonical order. */
export function tinyWeights(config: ModelConfig = IMPORT_CONFIG, seed = 7): EncodeTensor[] {
  const rng = new Rng(seed);
  return encoderParamSpecs(config).map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = 0.02 * rng.normal();
    return { name: s.name, dtype: 'F32' as const, shape: s.shape, data };
  });
}

export function writeCheckpoint(
  home: string,
  name: string,
  tensors: EncodeTensor[],
  config: Partial<ModelConfig> | null = IMPORT_CONFIG,
): void {
  const dir = importsOf(home);
  fs.writeFileSync(path.join(dir, `${name}.safetensors`), encodeSafetensors(tensors));
  if (config) fs.writeFileSync(path.join(dir, `${name}.config.json`), JSON.stringify(config));
}

/** A tiny dataset directory: regions for 3 images (dim 8) and JSONL rows per split. */
export function writeDataset(
  home: string,
  dir: string,
  manifest: Record<string, unknown>,
  splits: Record<string, unknown[] | string>,
  format: 'safetensors' | 'npy' = 'safetensors',
): void {
  const d = path.join(importsOf(home), dir);
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, 'dataset.json'), JSON.stringify(manifest));
  for (const [split, rows] of Object.entries(splits)) {
    fs.writeFileSync(
      path.join(d, `${split}.jsonl`),
      typeof rows === 'string' ? rows : rows.map((r) => JSON.stringify(r)).join('\n') + '\n',
    );
  }
  const counts: Record<string, number> = { img0: 3, img1: 2, img2: 4 };
  const rng = new Rng(3);
  const feat = (n: number) => Float32Array.from({ length: n * 8 }, () => rng.normal());
  const box = (n: number) => Float32Array.from({ length: n * 7 }, () => rng.next());
  if (format === 'safetensors') {
    const tensors: EncodeTensor[] = [];
    for (const [id, n] of Object.entries(counts)) {
      tensors.push(
        { name: `${id}.features`, dtype: 'F32', shape: [n, 8], data: feat(n) },
        { name: `${id}.boxes`, dtype: 'F32', shape: [n, 7], data: box(n) },
      );
    }
    fs.writeFileSync(path.join(d, 'regions.safetensors'), encodeSafetensors(tensors));
  } else {
    const ids = Object.keys(counts);
    fs.writeFileSync(path.join(d, 'features.npy'), npy([ids.length, 4, 8], feat(ids.length * 4)));
    fs.writeFileSync(path.join(d, 'boxes.npy'), npy([ids.length, 4, 7], box(ids.length * 4)));
    fs.writeFileSync(path.join(d, 'images.json'), JSON.stringify(ids.map((id) => ({ id, regions: counts[id] }))));
  }
}

/** A version-1 .npy file of little-endian float32. */
export function npy(shape: number[], data: Float32Array): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([
    head,
    Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  ]);
}
