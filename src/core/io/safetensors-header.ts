/**
 * Header validation for safetensors. Kept apart from the data decoding so that a file can be
 * checked from its first 8 + N bytes and its size alone (readSafetensorsFile does that before
 * reading the rest).
 */

/** Every failure of the codec: malformed, truncated, inconsistent or unexpected content. */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

/** Bytes per element of every dtype the safetensors spec defines. */
export const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

/** Same limit as the reference implementation: a header above 100 MB is refused. */
export const DEFAULT_MAX_HEADER_BYTES = 100_000_000;

export interface ExpectedTensor {
  shape?: readonly number[];
  /** allowed dtypes (one or several). */
  dtype?: string | readonly string[];
}

export interface ReadHeaderOptions {
  /** refuse headers longer than this; default 100 MB. */
  maxHeaderBytes?: number;
  /** tensors that must be present, with their shape/dtype when given. */
  expect?: Readonly<Record<string, ExpectedTensor>>;
  /** with `expect`: reject tensors not listed there; default false. */
  onlyExpected?: boolean;
}

export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  count: number;
  /** offsets relative to the start of the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  metadata: Record<string, string>;
  /** in header (JSON key) order. */
  tensors: TensorEntry[];
  /** absolute offset of the data section in the file (8 + header length). */
  dataStart: number;
  /** length of the data section. */
  dataBytes: number;
}

/** Reads the 8-byte header length and checks it against the file size and the limit. */
export function headerLength(head: Uint8Array, fileSize: number, maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES): number {
  if (fileSize < 8 || head.length < 8)
    throw new SafetensorsError(`file too short (${fileSize} bytes): no 8-byte header length`);
  const n = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(maxHeaderBytes))
    throw new SafetensorsError(`header length ${n} exceeds the limit of ${maxHeaderBytes} bytes`);
  if (n > BigInt(fileSize - 8))
    throw new SafetensorsError(`header length ${n} runs past the end of the file (${fileSize} bytes)`);
  return Number(n);
}

/**
 * Validates the header held in head[0 .. 8+N) of a file of fileSize bytes. Throws
 * SafetensorsError naming the first problem found.
 */
export function parseHeader(head: Uint8Array, fileSize: number, opts: ReadHeaderOptions = {}): SafetensorsHeader {
  const n = headerLength(head, fileSize, opts.maxHeaderBytes);
  if (head.length < 8 + n) throw new SafetensorsError(`header truncated: need ${8 + n} bytes, have ${head.length}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(8, 8 + n));
  } catch {
    throw new SafetensorsError('header is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(`header is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new SafetensorsError('header JSON must be an object');
  // JSON.parse keeps the last of duplicate keys silently; a duplicated tensor name is ambiguous.
  const dup = firstDuplicateTopLevelKey(text);
  if (dup !== null) throw new SafetensorsError(`duplicate tensor name "${dup}" in header`);

  const dataStart = 8 + n;
  const dataBytes = fileSize - dataStart;
  const obj = parsed as Record<string, unknown>;
  const metadata = parseMetadata(obj.__metadata__);
  const tensors: TensorEntry[] = [];
  for (const [name, raw] of Object.entries(obj)) {
    if (name === '__metadata__') continue;
    tensors.push(parseEntry(name, raw, dataBytes));
  }
  checkTiling(tensors, dataBytes);
  if (opts.expect) checkExpected(tensors, opts.expect, opts.onlyExpected === true);
  return { metadata, tensors, dataStart, dataBytes };
}

function parseMetadata(raw: unknown): Record<string, string> {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new SafetensorsError('__metadata__ must be an object of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new SafetensorsError(`__metadata__ "${k}" must be a string`);
    out[k] = v;
  }
  return out;
}

function parseEntry(name: string, raw: unknown, dataBytes: number): TensorEntry {
  const bad = (why: string): SafetensorsError => new SafetensorsError(`tensor "${name}": ${why}`);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('entry must be an object');
  const e = raw as Record<string, unknown>;
  if (typeof e.dtype !== 'string' || !(e.dtype in DTYPE_BYTES)) throw bad(`unknown dtype ${JSON.stringify(e.dtype)}`);
  if (!Array.isArray(e.shape)) throw bad('shape must be an array');
  let count = 1;
  for (const d of e.shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)
      throw bad(`invalid shape ${JSON.stringify(e.shape)}`);
    count *= d;
    if (!Number.isSafeInteger(count)) throw bad(`shape ${JSON.stringify(e.shape)} is too large`);
  }
  const off = e.data_offsets;
  if (!Array.isArray(off) || off.length !== 2) throw bad('data_offsets must be [begin, end]');
  const [begin, end] = off as unknown[];
  if (
    typeof begin !== 'number' ||
    typeof end !== 'number' ||
    !Number.isSafeInteger(begin) ||
    !Number.isSafeInteger(end) ||
    begin < 0 ||
    end < begin
  ) {
    throw bad(`invalid data_offsets ${JSON.stringify(off)}`);
  }
  if (end > dataBytes) throw bad(`data_offsets [${begin}, ${end}] run past the data section (${dataBytes} bytes)`);
  const expected = count * DTYPE_BYTES[e.dtype];
  if (end - begin !== expected) {
    throw bad(
      `byte length ${end - begin} does not match shape ${JSON.stringify(e.shape)} × ${e.dtype} (${expected} bytes)`,
    );
  }
  return { name, dtype: e.dtype, shape: e.shape as number[], count, begin, end };
}

/** The ranges, sorted by begin, must cover [0, dataBytes) with no overlap and no hole. */
function checkTiling(tensors: readonly TensorEntry[], dataBytes: number): void {
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  let prev: TensorEntry | null = null;
  for (const t of sorted) {
    if (t.begin < pos)
      throw new SafetensorsError(
        `tensor "${t.name}": data_offsets [${t.begin}, ${t.end}] overlap tensor "${prev?.name}"`,
      );
    if (t.begin > pos)
      throw new SafetensorsError(
        `tensor "${t.name}": hole of ${t.begin - pos} bytes before its data_offsets [${t.begin}, ${t.end}]`,
      );
    pos = t.end;
    prev = t;
  }
  if (pos !== dataBytes)
    throw new SafetensorsError(`data section has ${dataBytes} bytes but tensors cover ${pos} (trailing bytes)`);
}

function checkExpected(
  tensors: readonly TensorEntry[],
  expect: Readonly<Record<string, ExpectedTensor>>,
  only: boolean,
): void {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  for (const [name, want] of Object.entries(expect)) {
    const t = byName.get(name);
    if (!t) throw new SafetensorsError(`expected tensor "${name}" is missing`);
    if (want.shape && (want.shape.length !== t.shape.length || want.shape.some((d, i) => d !== t.shape[i]))) {
      throw new SafetensorsError(
        `tensor "${name}": shape [${t.shape.join(', ')}], expected [${want.shape.join(', ')}]`,
      );
    }
    if (want.dtype !== undefined) {
      const allowed = typeof want.dtype === 'string' ? [want.dtype] : want.dtype;
      if (!allowed.includes(t.dtype))
        throw new SafetensorsError(`tensor "${name}": dtype ${t.dtype}, expected ${allowed.join(' or ')}`);
    }
  }
  if (only) {
    for (const t of tensors) if (!(t.name in expect)) throw new SafetensorsError(`unexpected tensor "${t.name}"`);
  }
}

/**
 * Scans already-valid JSON text for the keys of the top-level object and returns the first
 * repeated one (decoded), or null.
 */
export function firstDuplicateTopLevelKey(text: string): string | null {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth === 1 && c === 0x7b) expectKey = true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x2c /* , */ && depth === 1) {
      expectKey = true;
    }
  }
  return null;
}
