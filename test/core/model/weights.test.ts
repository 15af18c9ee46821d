import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/backend';
import { createEncoder, snapshotWeights } from '../../../src/core/model/uniter';
import { encoderParamSpecs } from '../../../src/core/model/names';
import {
  decodeEncoderWeights,
  encodeEncoderWeights,
  encoderFromSafetensors,
  WeightsError,
} from '../../../src/core/model/weights';
import { encodeSafetensors } from '../../../src/core/io/safetensors';
import { Rng } from '../../../src/core/rng';
import { TINY, makeInput } from './helpers';

beforeAll(async () => {
  await initBackend('cpu');
});

/** A hand-built safetensors file with 16-bit tensors (the encoder only writes F32). */
function sixteenBit(
  tensors: Array<{ name: string; shape: number[]; bits: Uint16Array }>,
  dtype: 'F16' | 'BF16',
): Buffer {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const t of tensors) {
    header[t.name] = { dtype, shape: t.shape, data_offsets: [off, off + t.bits.byteLength] };
    off += t.bits.byteLength;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8) json += ' ';
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([
    len,
    Buffer.from(json),
    ...tensors.map((t) => Buffer.from(t.bits.buffer, t.bits.byteOffset, t.bits.byteLength)),
  ]);
}

describe('encoder weights as safetensors', () => {
  test('F32 round trip gives the same model', () => {
    const enc = createEncoder(TINY, new Rng(1));
    const buf = encodeEncoderWeights(enc, { seed: '1' });
    const { weights, metadata } = decodeEncoderWeights(buf, TINY);
    expect(metadata.seed).toBe('1');
    const orig = snapshotWeights(enc.params);
    for (const [k, v] of orig)
      expect(
        Buffer.from(weights.get(k)!.buffer, weights.get(k)!.byteOffset, v.byteLength).equals(Buffer.from(v.buffer)),
      ).toBe(true);
    const copy = encoderFromSafetensors(buf, TINY);
    const inp = makeInput(TINY, [5, 3], [2, 4], 6, 4);
    expect([...copy.encode(inp, { training: false }).pooled.dataSync()]).toEqual([
      ...enc.encode(inp, { training: false }).pooled.dataSync(),
    ]);
    enc.dispose();
    copy.dispose();
  });

  test('BF16 and F16 files load as the same values', () => {
    const specs = encoderParamSpecs(TINY);
    const orig = snapshotWeights(createEncoder(TINY, new Rng(2)).params);
    // BF16 keeps the top 16 bits of an F32; truncate first so the comparison is exact.
    const truncated = new Map<string, Float32Array>();
    const bf = specs.map((s) => {
      const f = orig.get(s.name)!;
      const u = new Uint32Array(f.buffer.slice(0));
      const bits = new Uint16Array(u.length);
      for (let i = 0; i < u.length; i++) {
        bits[i] = u[i] >>> 16;
        u[i] &= 0xffff0000;
      }
      truncated.set(s.name, new Float32Array(u.buffer));
      return { name: s.name, shape: s.shape, bits };
    });
    const got = decodeEncoderWeights(sixteenBit(bf, 'BF16'), TINY).weights;
    for (const [k, v] of truncated) expect([...got.get(k)!]).toEqual([...v]);
    // F16: 1.0 is 0x3c00, -2.0 is 0xc000, 0.5 is 0x3800.
    const f16 = specs.map((s) => {
      const n = s.shape.reduce((a, b) => a * b, 1);
      return { name: s.name, shape: s.shape, bits: new Uint16Array(n).map((_, i) => [0x3c00, 0xc000, 0x3800][i % 3]) };
    });
    const h = decodeEncoderWeights(sixteenBit(f16, 'F16'), TINY).weights;
    expect([...h.get('uniter.pooler.dense.bias')!.slice(0, 3)]).toEqual([1, -2, 0.5]);
  });

  test('rejects missing, extra and wrong-shape tensors with their names, building nothing', () => {
    const enc = createEncoder(TINY, new Rng(3));
    const w = snapshotWeights(enc.params);
    const specs = encoderParamSpecs(TINY);
    const tensors = specs
      .filter((s) => s.name !== 'uniter.pooler.dense.bias')
      .map((s) => ({ name: s.name, dtype: 'F32' as const, shape: s.shape, data: w.get(s.name)! }));
    const q = tensors.find((t) => t.name === 'uniter.encoder.layer.0.attention.self.query.weight')!;
    q.shape = [8, 32];
    tensors.push({ name: 'vqa_output.0.weight', dtype: 'F32', shape: [2], data: new Float32Array(2) });
    const buf = encodeSafetensors(tensors);
    const before = tf.memory().numTensors;
    let msg = '';
    try {
      encoderFromSafetensors(buf, TINY);
    } catch (e) {
      msg = (e as Error).message;
      expect(e).toBeInstanceOf(WeightsError);
    }
    expect(msg).toMatch(/missing: uniter.pooler.dense.bias/);
    expect(msg).toMatch(/unexpected: vqa_output.0.weight/);
    expect(msg).toMatch(/uniter.encoder.layer.0.attention.self.query.weight is \[8, 32\], expected \[16, 16\]/);
    expect(tf.memory().numTensors).toBe(before);
    // a different config is rejected too
    const ok = encodeEncoderWeights(enc);
    expect(() => decodeEncoderWeights(ok, { ...TINY, layers: 3 })).toThrow(/missing: uniter.encoder.layer.2/);
    expect(() => decodeEncoderWeights(ok, { ...TINY, vocabSize: 31 })).toThrow(
      /word_embeddings.weight is \[30, 16\], expected \[31, 16\]/,
    );
    enc.dispose();
  });

  test('extra tensors can be ignored explicitly; U8 weights and corrupt files are refused', () => {
    const enc = createEncoder(TINY, new Rng(4));
    const w = snapshotWeights(enc.params);
    const specs = encoderParamSpecs(TINY);
    const base = specs.map((s) => ({ name: s.name, dtype: 'F32' as const, shape: s.shape, data: w.get(s.name)! }));
    const withHead = encodeSafetensors([
      ...base,
      { name: 'vqa_output.0.weight', dtype: 'F32', shape: [2], data: new Float32Array(2) },
    ]);
    expect(decodeEncoderWeights(withHead, TINY, { extra: 'ignore' }).ignored).toEqual(['vqa_output.0.weight']);
    const u8 = encodeSafetensors(
      base.map((t) =>
        t.name === 'uniter.pooler.dense.bias'
          ? { name: t.name, dtype: 'U8' as const, shape: t.shape, data: new Uint8Array(16) }
          : t,
      ),
    );
    expect(() => decodeEncoderWeights(u8, TINY)).toThrow(
      /dtype must be F32, F16 or BF16: uniter.pooler.dense.bias \(U8\)/,
    );
    const good = encodeEncoderWeights(enc);
    expect(() => decodeEncoderWeights(good.subarray(0, good.length - 10), TINY)).toThrow(WeightsError);
    const huge = Buffer.from(good);
    huge.writeBigUInt64LE(BigInt(1e12), 0);
    expect(() => decodeEncoderWeights(huge, TINY)).toThrow(/not a valid safetensors file/);
    enc.dispose();
  });
});
