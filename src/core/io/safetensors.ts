/**
 * safetensors codec (https://huggingface.co/docs/safetensors): 8-byte little-endian header
 * length N, N bytes of UTF-8 JSON, then the data section. Decoding validates the whole header
 * before any tensor byte is read and reports every problem as a SafetensorsError (never a
 * RangeError or a partial result).
 *
 * Layout rule (the spec's "no holes"): the tensors' [begin, end) ranges, sorted by begin, must
 * tile the data section exactly — first begin 0, each begin equal to the previous end, last end
 * equal to the data section's length. Overlaps, gaps and trailing bytes are all rejected.
 *
 * Decoded data: F32 and U8 are views into `buf` when the absolute offset is suitably aligned
 * (no copy; writing to them writes into `buf`), copies otherwise. F16 and BF16 are converted to
 * new Float32Arrays. Other spec dtypes (I64, F64, BOOL, …) pass header validation but cannot be
 * decoded: they are rejected, or skipped and listed when `skipUnsupported` is set.
 */
import { SafetensorsError, parseHeader, type SafetensorsHeader, type TensorEntry } from './safetensors-header';

export {
  SafetensorsError,
  type SafetensorsHeader,
  type TensorEntry,
  DTYPE_BYTES,
  DEFAULT_MAX_HEADER_BYTES,
} from './safetensors-header';
export type { ReadHeaderOptions, ExpectedTensor } from './safetensors-header';
import type { ReadHeaderOptions } from './safetensors-header';

export type EncodableDtype = 'F32' | 'U8';

export interface EncodeTensor {
  name: string;
  dtype: EncodableDtype;
  shape: readonly number[];
  data: Float32Array | Uint8Array;
}

export interface DecodedTensor {
  /** the dtype stored in the file (F16/BF16 come back as Float32Array). */
  dtype: string;
  shape: number[];
  data: Float32Array | Uint8Array;
}

export interface DecodeOptions extends ReadHeaderOptions {
  /** skip (and list in `skipped`) tensors whose dtype is valid but not decodable; default false. */
  skipUnsupported?: boolean;
}

export interface DecodedSafetensors {
  metadata: Record<string, string>;
  tensors: Map<string, DecodedTensor>;
  /** names of tensors left out by `skipUnsupported`. */
  skipped: string[];
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Encodes tensors into one safetensors buffer. The header lists tensors in the given order; in
 * the data section 4-byte tensors come first (stable), so every F32 tensor is 4-byte aligned.
 */
export function encodeSafetensors(tensors: readonly EncodeTensor[], metadata?: Record<string, string>): Buffer {
  const seen = new Set<string>();
  const layout: Array<{ t: EncodeTensor; bytes: number }> = [];
  for (const t of tensors) {
    if (typeof t.name !== 'string' || t.name.length === 0 || t.name === '__metadata__') {
      throw new SafetensorsError(`invalid tensor name ${JSON.stringify(t.name)}`);
    }
    if (seen.has(t.name)) throw new SafetensorsError(`duplicate tensor name "${t.name}"`);
    seen.add(t.name);
    let count = 1;
    for (const d of t.shape) {
      if (!Number.isSafeInteger(d) || d < 0)
        throw new SafetensorsError(`tensor "${t.name}": invalid shape [${t.shape.join(', ')}]`);
      count *= d;
    }
    const wantArray = t.dtype === 'F32' ? Float32Array : t.dtype === 'U8' ? Uint8Array : null;
    if (wantArray === null) throw new SafetensorsError(`tensor "${t.name}": cannot encode dtype ${String(t.dtype)}`);
    if (!(t.data instanceof wantArray))
      throw new SafetensorsError(`tensor "${t.name}": ${t.dtype} needs a ${wantArray.name}`);
    if (t.data.length !== count) {
      throw new SafetensorsError(
        `tensor "${t.name}": shape [${t.shape.join(', ')}] has ${count} elements, data has ${t.data.length}`,
      );
    }
    layout.push({ t, bytes: t.data.byteLength });
  }
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new SafetensorsError(`metadata "${k}" must be a string`);
    }
  }
  const dataOrder = [...layout].sort((a, b) => b.t.data.BYTES_PER_ELEMENT - a.t.data.BYTES_PER_ELEMENT);
  const offsets = new Map<string, [number, number]>();
  let pos = 0;
  for (const { t, bytes } of dataOrder) {
    offsets.set(t.name, [pos, pos + bytes]);
    pos += bytes;
  }
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  for (const { t } of layout)
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: offsets.get(t.name) };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  const out = Buffer.alloc(8 + padded + pos);
  out.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(out, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  const base = 8 + padded;
  for (const { t } of dataOrder) {
    const [b] = offsets.get(t.name) as [number, number];
    if (t.data instanceof Float32Array && !LITTLE_ENDIAN) {
      for (let i = 0; i < t.data.length; i++) out.writeFloatLE(t.data[i], base + b + 4 * i);
    } else {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), base + b);
    }
  }
  return out;
}

/** Reads and fully validates the header (lengths, JSON, dtypes, shapes, offsets) without touching data. */
export function readSafetensorsHeader(buf: Uint8Array, opts: ReadHeaderOptions = {}): SafetensorsHeader {
  return parseHeader(buf, buf.length, opts);
}

/** Decodes a safetensors buffer after validating its header; see the file comment for the rules. */
export function decodeSafetensors(buf: Uint8Array, opts: DecodeOptions = {}): DecodedSafetensors {
  const header = parseHeader(buf, buf.length, opts);
  const tensors = new Map<string, DecodedTensor>();
  const skipped: string[] = [];
  for (const e of header.tensors) {
    if (!isDecodable(e.dtype)) {
      if (opts.skipUnsupported) {
        skipped.push(e.name);
        continue;
      }
      throw new SafetensorsError(
        `tensor "${e.name}": dtype ${e.dtype} is valid but not supported (F32, F16, BF16, U8)`,
      );
    }
    tensors.set(e.name, { dtype: e.dtype, shape: [...e.shape], data: decodeData(buf, header.dataStart, e) });
  }
  return { metadata: header.metadata, tensors, skipped };
}

function isDecodable(dtype: string): boolean {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16' || dtype === 'U8';
}

function decodeData(buf: Uint8Array, dataStart: number, e: TensorEntry): Float32Array | Uint8Array {
  const start = dataStart + e.begin;
  const bytes = e.end - e.begin;
  if (e.dtype === 'U8') return new Uint8Array(buf.buffer, buf.byteOffset + start, bytes);
  const n = e.count;
  if (e.dtype === 'F32') {
    const abs = buf.byteOffset + start;
    if (LITTLE_ENDIAN && abs % 4 === 0) return new Float32Array(buf.buffer, abs, n);
    const out = new Float32Array(n);
    if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(buf.subarray(start, start + bytes));
    else for (let i = 0; i < n; i++) out[i] = readF32LE(buf, start + 4 * i);
    return out;
  }
  const out = new Float32Array(n);
  if (e.dtype === 'BF16') {
    // bfloat16 is the upper half of a float32: shift into place, exact.
    const u = new Uint32Array(out.buffer);
    for (let i = 0, p = start; i < n; i++, p += 2) u[i] = (buf[p] | (buf[p + 1] << 8)) << 16;
    return out;
  }
  const table = f16Table();
  for (let i = 0, p = start; i < n; i++, p += 2) out[i] = table[buf[p] | (buf[p + 1] << 8)];
  return out;
}

function readF32LE(buf: Uint8Array, p: number): number {
  return new DataView(buf.buffer, buf.byteOffset + p, 4).getFloat32(0, true);
}

let F16: Float32Array | null = null;

/** All 65536 half-precision values as float32 (exact: every f16 is representable in f32). */
function f16Table(): Float32Array {
  if (F16) return F16;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) t[h] = sign * frac * 2 ** -24;
    else if (exp === 31) t[h] = frac === 0 ? sign * Infinity : NaN;
    else t[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  F16 = t;
  return t;
}
