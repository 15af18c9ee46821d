import { mkdtempSync, writeFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  SafetensorsError,
  decodeSafetensors,
  encodeSafetensors,
  readSafetensorsHeader,
} from '../../../src/core/io/safetensors';
import { readSafetensorsFile, readSafetensorsFileSync } from '../../../src/core/io/safetensors-file';

/** A raw file from an arbitrary header string and data bytes (for malformed inputs). */
function raw(headerText: string, data: Uint8Array | number[] = [], declaredLength?: number): Buffer {
  const h = Buffer.from(headerText, 'utf8');
  const out = Buffer.alloc(8 + h.length + data.length);
  out.writeBigUInt64LE(BigInt(declaredLength ?? h.length), 0);
  h.copy(out, 8);
  Buffer.from(data).copy(out, 8 + h.length);
  return out;
}

function expectError(f: () => unknown, pattern: RegExp): void {
  let caught: unknown = null;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SafetensorsError);
  expect((caught as Error).message).toMatch(pattern);
}

describe('safetensors encode/decode', () => {
  test('round trip F32 and U8 with metadata, header 8-byte aligned and space-padded', () => {
    const w = new Float32Array([1.5, -2, 3.25, 0, -0, 1e-30]);
    const m = new Uint8Array([1, 0, 1]);
    const buf = encodeSafetensors(
      [
        { name: 'm', dtype: 'U8', shape: [3], data: m },
        { name: 'layer.w', dtype: 'F32', shape: [2, 3], data: w },
      ],
      { format: 'pt', note: 'x' },
    );
    const n = Number(buf.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const headerText = buf.subarray(8, 8 + n).toString('utf8');
    expect(headerText.trimEnd().endsWith('}')).toBe(true);
    expect(/^ *$/.test(headerText.slice(headerText.trimEnd().length))).toBe(true);
    const d = decodeSafetensors(buf);
    expect(d.metadata).toEqual({ format: 'pt', note: 'x' });
    expect([...d.tensors.keys()]).toEqual(['m', 'layer.w']);
    const dw = d.tensors.get('layer.w')!;
    expect(dw.shape).toEqual([2, 3]);
    expect(dw.data).toBeInstanceOf(Float32Array);
    expect(Array.from(dw.data)).toEqual(Array.from(w));
    expect(Object.is(dw.data[4], -0)).toBe(true);
    expect(Array.from(d.tensors.get('m')!.data)).toEqual([1, 0, 1]);
    expect(d.tensors.get('m')!.data).toBeInstanceOf(Uint8Array);
  });

  test('empty file (no tensors) and zero-size tensors', () => {
    expect(decodeSafetensors(encodeSafetensors([])).tensors.size).toBe(0);
    const d = decodeSafetensors(
      encodeSafetensors([{ name: 'e', dtype: 'F32', shape: [0, 4], data: new Float32Array(0) }]),
    );
    expect(d.tensors.get('e')!.shape).toEqual([0, 4]);
  });

  test('F16 and BF16 decode from known bit patterns', () => {
    // F16: 1.0=0x3c00, -2.0=0xc000, 65504=0x7bff, smallest subnormal 2^-24=0x0001, +inf=0x7c00, 0.5=0x3800
    const f16 = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x3800];
    // BF16: 1.0=0x3f80, -2.0=0xc000, 3.140625=0x4049, 2^-126=0x0080
    const bf16 = [0x3f80, 0xc000, 0x4049, 0x0080];
    const bytes: number[] = [];
    for (const v of [...f16, ...bf16]) bytes.push(v & 0xff, v >>> 8);
    const header = JSON.stringify({
      h: { dtype: 'F16', shape: [6], data_offsets: [0, 12] },
      b: { dtype: 'BF16', shape: [2, 2], data_offsets: [12, 20] },
    });
    const d = decodeSafetensors(raw(header, bytes));
    expect(Array.from(d.tensors.get('h')!.data)).toEqual([1, -2, 65504, 2 ** -24, Infinity, 0.5]);
    expect(d.tensors.get('h')!.dtype).toBe('F16');
    expect(Array.from(d.tensors.get('b')!.data)).toEqual([1, -2, 3.140625, 2 ** -126]);
    expect(d.tensors.get('b')!.data).toBeInstanceOf(Float32Array);
  });

  test('unaligned F32 data is copied, not viewed', () => {
    const bytes = [7, ...new Uint8Array(new Float32Array([1.25, -3]).buffer)];
    const header = JSON.stringify({
      u: { dtype: 'U8', shape: [1], data_offsets: [0, 1] },
      f: { dtype: 'F32', shape: [2], data_offsets: [1, 9] },
    });
    const d = decodeSafetensors(raw(header, bytes));
    expect(Array.from(d.tensors.get('f')!.data)).toEqual([1.25, -3]);
    // and inside a Buffer that itself starts at an odd offset
    const big = Buffer.alloc(raw(header, bytes).length + 1);
    raw(header, bytes).copy(big, 1);
    expect(Array.from(decodeSafetensors(big.subarray(1)).tensors.get('f')!.data)).toEqual([1.25, -3]);
  });

  test('expect: shape, dtype, missing and extra tensors', () => {
    const buf = encodeSafetensors([{ name: 'a', dtype: 'F32', shape: [2], data: new Float32Array(2) }]);
    expect(
      decodeSafetensors(buf, { expect: { a: { shape: [2], dtype: 'F32' } }, onlyExpected: true }).tensors.size,
    ).toBe(1);
    expectError(() => decodeSafetensors(buf, { expect: { a: { shape: [3] } } }), /"a".*shape/);
    expectError(() => decodeSafetensors(buf, { expect: { a: { dtype: 'U8' } } }), /"a".*dtype/);
    expectError(() => decodeSafetensors(buf, { expect: { b: {} } }), /"b" is missing/);
    expectError(() => decodeSafetensors(buf, { expect: {}, onlyExpected: true }), /unexpected tensor "a"/);
  });

  test('valid but undecodable dtypes are rejected or skipped', () => {
    const header = JSON.stringify({ ids: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } });
    const buf = raw(header, new Array(8).fill(0));
    expectError(() => decodeSafetensors(buf), /"ids".*I64/);
    const d = decodeSafetensors(buf, { skipUnsupported: true });
    expect(d.skipped).toEqual(['ids']);
    expect(readSafetensorsHeader(buf).tensors[0].dtype).toBe('I64');
  });
});

describe('safetensors rejects malformed input with SafetensorsError', () => {
  const good = encodeSafetensors([{ name: 'w', dtype: 'F32', shape: [4], data: new Float32Array([1, 2, 3, 4]) }]);

  test('truncated file and missing length', () => {
    expectError(() => decodeSafetensors(good.subarray(0, good.length - 3)), /"w".*past the data section/);
    expectError(() => decodeSafetensors(good.subarray(0, 5)), /too short/);
    expectError(() => decodeSafetensors(good.subarray(0, 12)), /past the end of the file/);
  });

  test('header length past the file and oversized header', () => {
    expectError(() => decodeSafetensors(raw('{}', [], 1000)), /past the end/);
    const bigHeader = raw(`{"__metadata__":{"x":"${'a'.repeat(2000)}"}}`);
    expectError(() => decodeSafetensors(bigHeader, { maxHeaderBytes: 1024 }), /exceeds the limit/);
    const huge = Buffer.alloc(16);
    huge.writeBigUInt64LE(2n ** 63n, 0);
    expectError(() => decodeSafetensors(huge), /exceeds the limit/);
  });

  test('invalid JSON, invalid UTF-8, non-object header', () => {
    expectError(() => decodeSafetensors(raw('{"w": ')), /not valid JSON/);
    expectError(() => decodeSafetensors(raw('[1, 2]')), /must be an object/);
    const badUtf8 = raw('{"a":1}');
    badUtf8[10] = 0xff;
    expectError(() => decodeSafetensors(badUtf8), /UTF-8/);
    expectError(() => decodeSafetensors(raw('{"__metadata__": {"k": 1}}')), /__metadata__ "k"/);
  });

  test('overlapping offsets, holes and trailing bytes', () => {
    const overlap = JSON.stringify({
      a: { dtype: 'U8', shape: [4], data_offsets: [0, 4] },
      b: { dtype: 'U8', shape: [4], data_offsets: [2, 6] },
    });
    expectError(() => decodeSafetensors(raw(overlap, new Array(6).fill(1))), /"b".*overlap.*"a"/);
    const hole = JSON.stringify({ a: { dtype: 'U8', shape: [2], data_offsets: [1, 3] } });
    expectError(() => decodeSafetensors(raw(hole, [0, 0, 0])), /"a".*hole/);
    const trailing = JSON.stringify({ a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] } });
    expectError(() => decodeSafetensors(raw(trailing, [0, 0, 0])), /trailing/);
  });

  test('wrong byte length for shape, bad shape, unknown dtype, bad offsets', () => {
    const wrongLen = JSON.stringify({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] } });
    expectError(() => decodeSafetensors(raw(wrongLen, new Array(12).fill(0))), /"w".*byte length 12.*16 bytes/);
    const negShape = JSON.stringify({ w: { dtype: 'U8', shape: [-1], data_offsets: [0, 0] } });
    expectError(() => decodeSafetensors(raw(negShape)), /"w".*invalid shape/);
    const fracShape = JSON.stringify({ w: { dtype: 'U8', shape: [1.5], data_offsets: [0, 0] } });
    expectError(() => decodeSafetensors(raw(fracShape)), /"w".*invalid shape/);
    const unknown = JSON.stringify({ w: { dtype: 'F12', shape: [1], data_offsets: [0, 1] } });
    expectError(() => decodeSafetensors(raw(unknown, [0])), /"w".*unknown dtype "F12"/);
    const badOff = JSON.stringify({ w: { dtype: 'U8', shape: [1], data_offsets: [1, 0] } });
    expectError(() => decodeSafetensors(raw(badOff, [0])), /"w".*invalid data_offsets/);
    const noEntry = JSON.stringify({ w: 3 });
    expectError(() => decodeSafetensors(raw(noEntry)), /"w".*object/);
  });

  test('duplicate names', () => {
    const dup =
      '{"w": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, "w": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}}';
    expectError(() => decodeSafetensors(raw(dup, [0, 0])), /duplicate tensor name "w"/);
    // the same key nested inside entries is not a duplicate tensor name; escaped keys are decoded
    const escaped =
      '{"\\u0077": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, "w": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}}';
    expectError(() => decodeSafetensors(raw(escaped, [0, 0])), /duplicate tensor name "w"/);
    expectError(
      () =>
        encodeSafetensors([
          { name: 'a', dtype: 'U8', shape: [1], data: new Uint8Array(1) },
          { name: 'a', dtype: 'U8', shape: [1], data: new Uint8Array(1) },
        ]),
      /duplicate/,
    );
  });

  test('encode rejects data that does not match its shape or dtype', () => {
    expectError(
      () => encodeSafetensors([{ name: 'a', dtype: 'F32', shape: [3], data: new Float32Array(2) }]),
      /"a".*3 elements/,
    );
    expectError(
      () => encodeSafetensors([{ name: 'a', dtype: 'F32', shape: [2], data: new Uint8Array(2) }]),
      /"a".*Float32Array/,
    );
  });
});

describe('safetensors files', () => {
  test('readSafetensorsFile validates header before data and enforces maxFileBytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    try {
      const p = join(dir, 'a.safetensors');
      writeFileSync(p, encodeSafetensors([{ name: 'w', dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) }]));
      expect(Array.from((await readSafetensorsFile(p)).tensors.get('w')!.data)).toEqual([1, 2, 3]);
      expect(Array.from(readSafetensorsFileSync(p).tensors.get('w')!.data)).toEqual([1, 2, 3]);
      await expect(readSafetensorsFile(p, { maxFileBytes: 10 })).rejects.toBeInstanceOf(SafetensorsError);
      const bad = join(dir, 'b.safetensors');
      writeFileSync(bad, raw('{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}', [1, 2, 3]));
      await expect(readSafetensorsFile(bad)).rejects.toThrow(/"w".*past the data section/);
      expect(() => readSafetensorsFileSync(bad)).toThrow(SafetensorsError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
