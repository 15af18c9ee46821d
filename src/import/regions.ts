/**
 * Region features and boxes of an imported dataset: `regions.safetensors` (per image
 * `<image>.features` [n, D] and `<image>.boxes` [n, 7]) or `features.npy` [N, R, D] +
 * `boxes.npy` [N, R, 7] + `images.json` ([{ "id", "regions" }], one per first-axis row).
 */
import * as fs from 'fs';
import { decodeSafetensors } from '../core/io/safetensors';
import { MAX_WEIGHTS_FILE_BYTES } from '../core/model/weights';
import { BadInputError } from '../kit/errors';
import { parseNpy } from '../core/io/npy';
import { listSome } from '../core/io/weights-check';

export const BOX_DIM = 7;
/** UNITER keeps at most 100 regions per image; a little slack for other detectors. */
export const MAX_REGIONS_PER_IMAGE = 256;

export interface ImageRegions {
  count: number;
  /** count × dim */
  features: Float32Array;
  /** count × 7: x1, y1, x2, y2, w, h, w·h */
  boxes: Float32Array;
}

export interface RegionTable {
  dim: number;
  images: Map<string, ImageRegions>;
}

const bad = (field: string, why: string): BadInputError => new BadInputError(`${field}: ${why}`);

function readLimited(file: string, field: string): Buffer {
  const size = fs.statSync(file).size;
  if (size > MAX_WEIGHTS_FILE_BYTES)
    throw bad(field, `${size} bytes exceeds the limit of ${MAX_WEIGHTS_FILE_BYTES} bytes`);
  return fs.readFileSync(file);
}

export function readSafetensorsRegions(file: string): RegionTable {
  const field = 'regions.safetensors';
  let decoded;
  try {
    decoded = decodeSafetensors(readLimited(file, field), { maxHeaderBytes: 64 * 1024 * 1024 });
  } catch (e) {
    if (e instanceof BadInputError) throw e;
    throw bad(field, `not a valid safetensors file: ${e instanceof Error ? e.message : String(e)}`);
  }
  const ids = new Set<string>();
  const stray: string[] = [];
  for (const name of decoded.tensors.keys()) {
    const m = /^(.+)\.(features|boxes)$/.exec(name);
    if (m) ids.add(m[1]);
    else stray.push(name);
  }
  if (stray.length) throw bad(field, `tensor names must be <image>.features or <image>.boxes: ${listSome(stray)}`);
  const images = new Map<string, ImageRegions>();
  let dim = -1;
  for (const id of ids) {
    const f = decoded.tensors.get(`${id}.features`);
    const b = decoded.tensors.get(`${id}.boxes`);
    if (!f || !b) throw bad(field, `image ${JSON.stringify(id)} needs both ${id}.features and ${id}.boxes`);
    if (!(f.data instanceof Float32Array) || !(b.data instanceof Float32Array))
      throw bad(field, `image ${JSON.stringify(id)}: features and boxes must be F32, F16 or BF16`);
    if (f.shape.length !== 2 || b.shape.length !== 2 || b.shape[1] !== BOX_DIM || f.shape[0] !== b.shape[0]) {
      throw bad(
        field,
        `image ${JSON.stringify(id)}: features must be [n, D] and boxes [n, ${BOX_DIM}] with the same n, got [${f.shape.join(', ')}] and [${b.shape.join(', ')}]`,
      );
    }
    if (dim === -1) dim = f.shape[1];
    if (f.shape[1] !== dim)
      throw bad(field, `image ${JSON.stringify(id)}: feature dimension ${f.shape[1]}, other images have ${dim}`);
    images.set(id, checked(field, id, { count: f.shape[0], features: f.data, boxes: b.data }));
  }
  if (images.size === 0) throw bad(field, 'holds no images');
  return { dim, images };
}

export function readNpyRegions(featuresFile: string, boxesFile: string, imagesFile: string): RegionTable {
  const parse = (file: string, field: string) => {
    try {
      return parseNpy(readLimited(file, field));
    } catch (e) {
      if (e instanceof BadInputError) throw e;
      throw bad(field, e instanceof Error ? e.message : String(e));
    }
  };
  const f = parse(featuresFile, 'features.npy');
  const b = parse(boxesFile, 'boxes.npy');
  if (f.shape.length !== 3) throw bad('features.npy', `must be [images, regions, D], got (${f.shape.join(', ')})`);
  if (b.shape.length !== 3 || b.shape[2] !== BOX_DIM || b.shape[0] !== f.shape[0] || b.shape[1] !== f.shape[1]) {
    throw bad('boxes.npy', `must be [${f.shape[0]}, ${f.shape[1]}, ${BOX_DIM}], got (${b.shape.join(', ')})`);
  }
  const [n, r, dim] = f.shape;
  let list: unknown;
  try {
    list = JSON.parse(readLimited(imagesFile, 'images.json').toString('utf8'));
  } catch (e) {
    if (e instanceof BadInputError) throw e;
    throw bad('images.json', `not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(list) || list.length !== n)
    throw bad('images.json', `must be an array of ${n} entries (one per row of features.npy)`);
  const images = new Map<string, ImageRegions>();
  list.forEach((e: unknown, i) => {
    const o = e as { id?: unknown; regions?: unknown } | null;
    if (!o || typeof o.id !== 'string' || o.id.length === 0)
      throw bad(`images.json[${i}].id`, 'must be a non-empty string');
    if (typeof o.regions !== 'number' || !Number.isInteger(o.regions) || o.regions < 1 || o.regions > r)
      throw bad(`images.json[${i}].regions`, `must be an integer in 1..${r}`);
    if (images.has(o.id)) throw bad(`images.json[${i}].id`, `image ${JSON.stringify(o.id)} is listed twice`);
    const c = o.regions;
    images.set(
      o.id,
      checked('features.npy', o.id, {
        count: c,
        features: f.data.slice(i * r * dim, (i * r + c) * dim),
        boxes: b.data.slice(i * r * BOX_DIM, (i * r + c) * BOX_DIM),
      }),
    );
  });
  return { dim, images };
}

function checked(field: string, id: string, img: ImageRegions): ImageRegions {
  if (img.count < 1 || img.count > MAX_REGIONS_PER_IMAGE)
    throw bad(field, `image ${JSON.stringify(id)} has ${img.count} regions; 1..${MAX_REGIONS_PER_IMAGE} are accepted`);
  if (!img.features.every(Number.isFinite))
    throw bad(field, `image ${JSON.stringify(id)}: features hold NaN or Infinity`);
  if (!img.boxes.every(Number.isFinite)) throw bad(field, `image ${JSON.stringify(id)}: boxes hold NaN or Infinity`);
  return img;
}
