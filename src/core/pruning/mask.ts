/**
 * A binary mask over a model's prunable weights in canonical order (see layout.ts).
 * Bit-packed: 1 bit per weight, LSB-first within each byte, bit = 1 means KEPT. In memory the
 * bits sit in uint32 words (bit i in word i >>> 5), whose little-endian bytes are exactly the
 * at-rest packed bytes. Bits past `total` are always 0, so popcounts need no tail handling.
 * Masks are immutable: every operation returns a new mask.
 */
import { createHash } from 'crypto';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors';
import { LITTLE_ENDIAN, packBits, popcount32, popcountRange, unpackBits } from './bits';
import { PruningError } from './errors';
import { layoutOf, sameLayout, totalOf, type Segment, type SegmentSpec } from './layout';

export interface LayerStats {
  name: string;
  total: number;
  pruned: number;
  /** pruned / total (0 for an empty tensor). */
  sparsity: number;
}

if (!LITTLE_ENDIAN) throw new Error('ticketlab masks require a little-endian machine');

/** Layout arrays already validated by Mask.layout (shared by identity between masks). */
const LAID_OUT = new WeakSet<readonly Segment[]>();

export class Mask {
  readonly segments: readonly Segment[];
  readonly total: number;
  /** packed bits; do not mutate (masks are shared freely). */
  readonly words: Uint32Array;
  private keptCount = -1;

  private constructor(segments: readonly Segment[], words: Uint32Array) {
    this.segments = segments;
    this.total = totalOf(segments);
    this.words = words;
  }

  /** Layout from specs (or reuse already laid-out segments). */
  static layout(specs: readonly (Segment | SegmentSpec)[]): readonly Segment[] {
    if (LAID_OUT.has(specs as readonly Segment[])) return specs as readonly Segment[];
    const segments = Object.freeze(layoutOf(specs));
    LAID_OUT.add(segments);
    return segments;
  }

  static wordCount(total: number): number {
    return Math.ceil(total / 32);
  }

  /** Everything kept (the dense level-0 mask). */
  static ones(specs: readonly (Segment | SegmentSpec)[]): Mask {
    const segments = Mask.layout(specs);
    const total = totalOf(segments);
    const words = new Uint32Array(Mask.wordCount(total)).fill(0xffffffff);
    if (total & 31) words[words.length - 1] = 0xffffffff >>> (32 - (total & 31));
    return new Mask(segments, words);
  }

  /** Adopts `words` (no copy) after checking its length and that bits past total are 0. */
  static fromWords(specs: readonly (Segment | SegmentSpec)[], words: Uint32Array): Mask {
    const segments = Mask.layout(specs);
    const total = totalOf(segments);
    if (words.length !== Mask.wordCount(total))
      throw new PruningError(`expected ${Mask.wordCount(total)} words, got ${words.length}`);
    if (total & 31 && words[words.length - 1] >>> (total & 31) !== 0)
      throw new PruningError('bits past the last weight must be 0');
    return new Mask(segments, words);
  }

  /** From the at-rest packed bytes (ceil(total/8) bytes, LSB-first). */
  static fromPacked(specs: readonly (Segment | SegmentSpec)[], bytes: Uint8Array): Mask {
    const segments = Mask.layout(specs);
    const total = totalOf(segments);
    if (bytes.length !== Math.ceil(total / 8))
      throw new PruningError(`expected ${Math.ceil(total / 8)} packed bytes, got ${bytes.length}`);
    const words = new Uint32Array(Mask.wordCount(total));
    new Uint8Array(words.buffer).set(bytes);
    return Mask.fromWords(segments, words);
  }

  /** From 0/1 bytes: one array over all weights, or one array per tensor in layout order. */
  static pack(specs: readonly (Segment | SegmentSpec)[], bits: Uint8Array | readonly Uint8Array[]): Mask {
    const segments = Mask.layout(specs);
    const total = totalOf(segments);
    const words = new Uint32Array(Mask.wordCount(total));
    if (bits instanceof Uint8Array) {
      if (bits.length !== total) throw new PruningError(`expected ${total} mask values, got ${bits.length}`);
      packBits(words, 0, bits);
    } else {
      if (bits.length !== segments.length)
        throw new PruningError(`expected ${segments.length} tensors, got ${bits.length}`);
      segments.forEach((s, i) => {
        if (bits[i].length !== s.length)
          throw new PruningError(`tensor "${s.name}": expected ${s.length} mask values, got ${bits[i].length}`);
        packBits(words, s.offset, bits[i]);
      });
    }
    return new Mask(segments, words);
  }

  /** All weights as 0/1 bytes. */
  unpack(): Uint8Array {
    return this.unpackInto(new Uint8Array(this.total));
  }

  /** unpack() into a caller's buffer (reusing memory avoids first-touch page faults). */
  unpackInto(out: Uint8Array): Uint8Array {
    if (out.length !== this.total)
      throw new PruningError(`expected a buffer of ${this.total} bytes, got ${out.length}`);
    unpackBits(this.words, 0, out);
    return out;
  }

  /** One tensor's 0/1 bytes, by layout index or name. */
  unpackSegment(which: number | string): Uint8Array {
    const s = this.segment(which);
    const out = new Uint8Array(s.length);
    unpackBits(this.words, s.offset, out);
    return out;
  }

  segment(which: number | string): Segment {
    const s = typeof which === 'number' ? this.segments[which] : this.segments.find((x) => x.name === which);
    if (!s) throw new PruningError(`no segment ${JSON.stringify(which)}`);
    return s;
  }

  /** Is weight i (global index) kept? */
  get(i: number): boolean {
    if (!Number.isInteger(i) || i < 0 || i >= this.total)
      throw new PruningError(`index ${i} outside [0, ${this.total})`);
    return ((this.words[i >>> 5] >>> (i & 31)) & 1) === 1;
  }

  /** The packed bytes at rest (a copy): ceil(total/8) bytes. */
  toBytes(): Uint8Array {
    return new Uint8Array(this.words.buffer, this.words.byteOffset, Math.ceil(this.total / 8)).slice();
  }

  get kept(): number {
    if (this.keptCount < 0) {
      let n = 0;
      const w = this.words;
      for (let i = 0; i < w.length; i++) n += popcount32(w[i]);
      this.keptCount = n;
    }
    return this.keptCount;
  }

  get pruned(): number {
    return this.total - this.kept;
  }

  /** pruned / total, exact as counted (0 for an empty layout). */
  get sparsity(): number {
    return this.total === 0 ? 0 : this.pruned / this.total;
  }

  /** Per-tensor counts in layout order. */
  layerStats(): LayerStats[] {
    return this.segments.map((s) => {
      const pruned = s.length - popcountRange(this.words, s.offset, s.offset + s.length);
      return { name: s.name, total: s.length, pruned, sparsity: s.length === 0 ? 0 : pruned / s.length };
    });
  }

  /** Kept count of one tensor. */
  keptIn(which: number | string): number {
    const s = this.segment(which);
    return popcountRange(this.words, s.offset, s.offset + s.length);
  }

  /** sha256 (hex) of the packed bytes. */
  sha256(): string {
    return createHash('sha256')
      .update(new Uint8Array(this.words.buffer, this.words.byteOffset, Math.ceil(this.total / 8)))
      .digest('hex');
  }

  sameLayout(other: Mask): boolean {
    return this.total === other.total && sameLayout(this.segments, other.segments);
  }

  assertSameLayout(other: Mask, what: string): void {
    if (!this.sameLayout(other)) throw new PruningError(`${what}: masks have different layouts`);
  }

  /** Nesting: every weight kept here is kept in `other`. */
  isSubsetOf(other: Mask): boolean {
    this.assertSameLayout(other, 'isSubsetOf');
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < a.length; i++) if ((a[i] & ~b[i]) !== 0) return false;
    return true;
  }

  equals(other: Mask): boolean {
    if (!this.sameLayout(other)) return false;
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** Zeroes the pruned entries of one tensor's values in place (w ⊙ m). */
  applyTo(which: number | string, data: Float32Array): void {
    const s = this.segment(which);
    if (data.length !== s.length)
      throw new PruningError(`tensor "${s.name}": ${data.length} values, expected ${s.length}`);
    const w = this.words;
    for (let i = 0; i < s.length;) {
      const g = s.offset + i;
      const word = w[g >>> 5];
      if ((g & 31) === 0 && i + 32 <= s.length && word === 0xffffffff) {
        i += 32;
        continue;
      }
      if (((word >>> (g & 31)) & 1) === 0) data[i] = 0;
      i++;
    }
  }

  /**
   * One U8 (0/1) tensor per prunable weight, named and shaped like it — in PyTorch:
   * `w.mul_(masks[name])`. Metadata records the canonical order, counts and sha256.
   */
  toSafetensors(metadata: Record<string, string> = {}): Buffer {
    const tensors = this.segments.map((s, i) => ({
      name: s.name,
      dtype: 'U8' as const,
      shape: s.shape,
      data: this.unpackSegment(i),
    }));
    return encodeSafetensors(tensors, {
      ...metadata,
      format: 'pt',
      'ticketlab.kind': 'mask',
      'ticketlab.order': JSON.stringify(this.segments.map((s) => s.name)),
      'ticketlab.total': String(this.total),
      'ticketlab.pruned': String(this.pruned),
      'ticketlab.sha256': this.sha256(),
    });
  }

  /**
   * Reads a mask written by toSafetensors (or any file of U8 0/1 tensors). With `specs` the file
   * must hold exactly those tensors with those shapes; without, the order comes from the
   * metadata's ticketlab.order, else from the tensors' data offsets. A recorded sha256 must match.
   */
  static fromSafetensors(buf: Uint8Array, specs?: readonly (Segment | SegmentSpec)[]): Mask {
    const decoded = decodeSafetensors(buf);
    const found = decoded.tensors;
    let order: SegmentSpec[];
    if (specs) {
      order = [...specs];
    } else {
      const recorded = decoded.metadata['ticketlab.order'];
      let names: unknown = [...found.keys()];
      if (recorded !== undefined) {
        try {
          names = JSON.parse(recorded);
        } catch {
          throw new PruningError('mask file: ticketlab.order is not valid JSON');
        }
      }
      if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || !found.has(n))) {
        throw new PruningError('mask file: ticketlab.order does not match its tensors');
      }
      order = (names as string[]).map((n) => ({ name: n, shape: found.get(n)!.shape }));
    }
    const segments = Mask.layout(order);
    if (found.size !== segments.length)
      throw new PruningError(`mask file has ${found.size} tensors, expected ${segments.length}`);
    const parts = segments.map((s) => {
      const t = found.get(s.name);
      if (!t) throw new PruningError(`mask file lacks tensor "${s.name}"`);
      if (t.dtype !== 'U8') throw new PruningError(`mask tensor "${s.name}" is ${t.dtype}, expected U8`);
      if (t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i])) {
        throw new PruningError(
          `mask tensor "${s.name}" has shape [${t.shape.join(', ')}], expected [${s.shape.join(', ')}]`,
        );
      }
      return t.data as Uint8Array;
    });
    const mask = Mask.pack(segments, parts);
    const sha = decoded.metadata['ticketlab.sha256'];
    if (sha !== undefined && sha !== mask.sha256())
      throw new PruningError('mask file: sha256 does not match its contents');
    return mask;
  }
}
