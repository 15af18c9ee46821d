/**
 * The canonical layout of a model's prunable weights: tensors in a fixed order, each occupying
 * a contiguous range of global indices [offset, offset + length). Masks and pruning address
 * weights by global index in this order.
 */
import { PruningError } from './errors';

export interface SegmentSpec {
  name: string;
  shape: readonly number[];
}

export interface Segment {
  readonly name: string;
  readonly shape: readonly number[];
  /** global index of the tensor's first element. */
  readonly offset: number;
  /** number of elements (product of shape). */
  readonly length: number;
}

/** Largest total the packed format addresses (bit indices stay below 2^32 in uint32 words). */
export const MAX_TOTAL = 2 ** 32 - 32;

/** Validates specs (unique non-empty names, non-negative integer dims) and assigns offsets. */
export function layoutOf(specs: readonly SegmentSpec[]): Segment[] {
  const seen = new Set<string>();
  const out: Segment[] = [];
  let offset = 0;
  for (const s of specs) {
    if (typeof s.name !== 'string' || s.name.length === 0)
      throw new PruningError('segment names must be non-empty strings');
    if (seen.has(s.name)) throw new PruningError(`duplicate segment "${s.name}"`);
    seen.add(s.name);
    let length = 1;
    for (const d of s.shape) {
      if (!Number.isSafeInteger(d) || d < 0)
        throw new PruningError(`segment "${s.name}": invalid shape [${s.shape.join(', ')}]`);
      length *= d;
    }
    out.push(Object.freeze({ name: s.name, shape: Object.freeze([...s.shape]), offset, length }));
    offset += length;
    if (offset > MAX_TOTAL) throw new PruningError(`layout exceeds ${MAX_TOTAL} weights`);
  }
  return out;
}

export function totalOf(segments: readonly Segment[]): number {
  return segments.length === 0 ? 0 : segments[segments.length - 1].offset + segments[segments.length - 1].length;
}

/** Same names, shapes and order. */
export function sameLayout(a: readonly Segment[], b: readonly Segment[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.name !== y.name || x.shape.length !== y.shape.length || x.shape.some((d, j) => d !== y.shape[j]))
      return false;
  }
  return true;
}

/** Throws unless the per-tensor arrays match the layout one-to-one in length. */
export function checkTensors(segments: readonly Segment[], tensors: readonly { length: number }[], what: string): void {
  if (tensors.length !== segments.length) {
    throw new PruningError(`${what}: expected ${segments.length} tensors, got ${tensors.length}`);
  }
  for (let i = 0; i < segments.length; i++) {
    if (tensors[i].length !== segments[i].length) {
      throw new PruningError(
        `${what}: tensor "${segments[i].name}" has ${tensors[i].length} elements, expected ${segments[i].length}`,
      );
    }
  }
}
