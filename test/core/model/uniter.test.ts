import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/backend';
import {
  scaledInitStd,
  createEncoder,
  encoderFromWeights,
  parameterCount,
  prunableParameterCount,
  prunableWeightNames,
  prunableWeights,
  snapshotWeights,
  assignWeights,
} from '../../../src/core/model/uniter';
import { Rng } from '../../../src/core/rng';
import { TINY, makeInput, disposeInput } from './helpers';

beforeAll(async () => {
  await initBackend('cpu');
});

const near = (a: Float32Array, b: Float32Array, tol: number): number => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(a.length).toBe(b.length);
  expect(worst).toBeLessThan(tol);
  return worst;
};

describe('UNITER encoder', () => {
  test('output shapes and UNITER parameter names', () => {
    const enc = createEncoder(TINY, new Rng(1));
    const inp = makeInput(TINY, [5, 3, 8], [2, 4, 1], 8, 4);
    const out = enc.encode(inp, { training: false });
    expect(out.sequence.shape).toEqual([3, 12, 16]);
    expect(out.pooled.shape).toEqual([3, 16]);
    const names = [...enc.params.keys()];
    expect(names).toContain('uniter.embeddings.word_embeddings.weight');
    expect(names).toContain('uniter.img_embeddings.img_layer_norm.bias');
    expect(names).toContain('uniter.encoder.layer.1.attention.self.value.bias');
    expect(names).toContain('uniter.encoder.layer.1.output.LayerNorm.weight');
    expect(names).toContain('uniter.pooler.dense.weight');
    expect(enc.params.get('uniter.encoder.layer.0.intermediate.dense.weight')!.shape).toEqual([32, 16]);
    expect(enc.params.get('uniter.img_embeddings.img_linear.weight')!.shape).toEqual([16, 8]);
    expect(enc.params.get('uniter.embeddings.position_embeddings.weight')!.shape).toEqual([8, 16]);
    tf.dispose([out.sequence, out.pooled]);
    disposeInput(inp);
    enc.dispose();
  });

  test('parameter counts match the architecture', () => {
    const { hidden: H, intermediate: I, vocabSize: V, regionFeatureDim: F, layers } = TINY;
    const P = TINY.maxTextLength + 2;
    const emb = V * H + P * H + 2 * H + 2 * H;
    const img = F * H + H + 2 * H + 7 * H + H + 2 * H + 2 * H;
    const layer = 4 * (H * H + H) + 2 * H + (H * I + I) + (I * H + H) + 2 * H;
    expect(parameterCount(TINY)).toBe(emb + img + layers * layer + H * H + H);
    expect(prunableParameterCount(TINY)).toBe(layers * (4 * H * H + 2 * H * I) + H * H);
    const enc = createEncoder(TINY, new Rng(2));
    let n = 0;
    for (const v of enc.params.values()) n += v.size;
    expect(n).toBe(parameterCount(TINY));
    enc.dispose();
  });

  test('prunable weights in canonical order', () => {
    const names = prunableWeightNames(TINY);
    expect(names.slice(0, 7)).toEqual([
      'uniter.encoder.layer.0.attention.self.query.weight',
      'uniter.encoder.layer.0.attention.self.key.weight',
      'uniter.encoder.layer.0.attention.self.value.weight',
      'uniter.encoder.layer.0.attention.output.dense.weight',
      'uniter.encoder.layer.0.intermediate.dense.weight',
      'uniter.encoder.layer.0.output.dense.weight',
      'uniter.encoder.layer.1.attention.self.query.weight',
    ]);
    expect(names[names.length - 1]).toBe('uniter.pooler.dense.weight');
    expect(names.length).toBe(6 * TINY.layers + 1);
    const enc = createEncoder(TINY, new Rng(2));
    expect(prunableWeights(enc).map((v) => v.shape)).toEqual(names.map((n) => enc.params.get(n)!.shape));
    enc.dispose();
  });

  test('initialisation: N(0, 0.02) weights, LN ones/zeros, zero biases; seeded', () => {
    const big = { ...TINY, hidden: 64, intermediate: 128, heads: 4 };
    const a = snapshotWeights(createEncoder(big, new Rng(7)).params);
    const b = snapshotWeights(createEncoder(big, new Rng(7)).params);
    const w = a.get('uniter.encoder.layer.0.intermediate.dense.weight')!;
    const mean = w.reduce((s, x) => s + x, 0) / w.length;
    const std = Math.sqrt(w.reduce((s, x) => s + (x - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(std).toBeGreaterThan(0.019);
    expect(std).toBeLessThan(0.021);
    expect([...a.get('uniter.embeddings.LayerNorm.weight')!].every((x) => x === 1)).toBe(true);
    expect([...a.get('uniter.encoder.layer.1.output.LayerNorm.bias')!].every((x) => x === 0)).toBe(true);
    expect([...a.get('uniter.pooler.dense.bias')!].every((x) => x === 0)).toBe(true);
    for (const [k, v] of a) expect(Buffer.from(v.buffer).equals(Buffer.from(b.get(k)!.buffer))).toBe(true);
  });

  test('scaledInitStd keeps BERT gain: 0.02 at hidden 768, 0.02·√12 at 64; createEncoder takes it', () => {
    expect(scaledInitStd(768)).toBeCloseTo(0.02, 12);
    expect(scaledInitStd(64)).toBeCloseTo(0.02 * Math.sqrt(12), 12);
    const big = { ...TINY, hidden: 64, intermediate: 128, heads: 4 };
    const w = snapshotWeights(createEncoder(big, new Rng(7), scaledInitStd(64)).params).get(
      'uniter.encoder.layer.0.intermediate.dense.weight',
    )!;
    const std = Math.sqrt(w.reduce((s, x) => s + x * x, 0) / w.length);
    expect(std).toBeGreaterThan(0.066);
    expect(std).toBeLessThan(0.073);
    // same draws as the default init, scaled: the rng stream does not depend on std
    const d = snapshotWeights(createEncoder(big, new Rng(7)).params).get(
      'uniter.encoder.layer.0.intermediate.dense.weight',
    )!;
    expect(w[5] / d[5]).toBeCloseTo(scaledInitStd(64) / 0.02, 4);
    expect(() => createEncoder(big, new Rng(7), 0)).toThrow(/std/);
  });

  test('padded tokens and regions do not change real positions', () => {
    const enc = createEncoder(TINY, new Rng(3));
    // Same first example: alone and tight, then padded inside a bigger batch with junk padding.
    const tight = makeInput(TINY, [4], [2], 4, 2, 11);
    const padded = makeInput(TINY, [4, 7], [2, 4], 8, 4, 11);
    // Fill example 0's padding with junk ids/features: it must still be ignored.
    const ids = padded.tokenIds.arraySync();
    ids[0][5] = 9;
    ids[0][6] = 17;
    const feats = padded.regionFeatures.arraySync();
    feats[0][3] = feats[0][3].map(() => 5);
    const junk = { ...padded, tokenIds: tf.tensor2d(ids, undefined, 'int32'), regionFeatures: tf.tensor3d(feats) };
    const a = enc.encode(tight, { training: false });
    const b = enc.encode(junk, { training: false });
    const seqA = a.sequence.arraySync()[0];
    const seqB = b.sequence.arraySync()[0];
    const realA = [0, 1, 2, 3, 4, 5].map((i) => seqA[i]);
    const realB = [0, 1, 2, 3, 8, 9].map((i) => seqB[i]);
    near(new Float32Array(realA.flat()), new Float32Array(realB.flat()), 1e-5);
    near(new Float32Array(a.pooled.arraySync()[0]), new Float32Array(b.pooled.arraySync()[0]), 1e-5);
    // and the masking matters: unmasking the junk changes the output.
    const unmasked = { ...junk, textMask: tf.onesLike(junk.textMask), regionMask: tf.onesLike(junk.regionMask) };
    const c = enc.encode(unmasked, { training: false });
    const diff = Math.abs(c.pooled.arraySync()[0][0] - a.pooled.arraySync()[0][0]);
    expect(diff).toBeGreaterThan(1e-4);
    enc.dispose();
  });

  test('dropout: seeded in training, off in inference', () => {
    const enc = createEncoder(TINY, new Rng(4));
    const inp = makeInput(TINY, [5, 3], [2, 4], 6, 4);
    const run = (o: { training: boolean; dropoutSeed?: number }) => enc.encode(inp, o).pooled.dataSync();
    expect([...run({ training: true, dropoutSeed: 5 })]).toEqual([...run({ training: true, dropoutSeed: 5 })]);
    expect([...run({ training: true, dropoutSeed: 5 })]).not.toEqual([...run({ training: true, dropoutSeed: 6 })]);
    expect([...run({ training: false, dropoutSeed: 5 })]).toEqual([...run({ training: false, dropoutSeed: 6 })]);
    enc.dispose();
  });

  test('perturb hook sees word embeddings and raw region features', () => {
    const enc = createEncoder(TINY, new Rng(4));
    const inp = makeInput(TINY, [5, 3], [2, 4], 6, 4);
    const seen: Array<[string, number[]]> = [];
    const base = enc.encode(inp, { training: false }).pooled.dataSync();
    const out = enc
      .encode(inp, {
        training: false,
        perturb: (where, x) => {
          seen.push([where, x.shape]);
          return where === 'region' ? (tf.add(x, 0.5) as tf.Tensor3D) : x;
        },
      })
      .pooled.dataSync();
    expect(seen).toEqual([
      ['word', [2, 6, 16]],
      ['region', [2, 4, 8]],
    ]);
    expect([...out]).not.toEqual([...base]);
    enc.dispose();
  });

  test('encoderFromWeights rebuilds the same model and rejects bad maps whole', () => {
    const enc = createEncoder(TINY, new Rng(5));
    const w = snapshotWeights(enc.params);
    const copy = encoderFromWeights(TINY, w);
    const inp = makeInput(TINY, [5, 3], [2, 4], 6, 4);
    expect([...copy.encode(inp, { training: false }).pooled.dataSync()]).toEqual([
      ...enc.encode(inp, { training: false }).pooled.dataSync(),
    ]);
    const before = tf.memory().numTensors;
    const bad = new Map(w);
    bad.delete('uniter.pooler.dense.bias');
    bad.set('uniter.encoder.layer.0.output.dense.weight', new Float32Array(3));
    bad.set('cls.predictions.bias', new Float32Array(3));
    expect(() => encoderFromWeights(TINY, bad)).toThrow(
      /missing: uniter.pooler.dense.bias.*unexpected: cls.predictions.bias.*wrong shape: uniter.encoder.layer.0.output.dense.weight/,
    );
    expect(tf.memory().numTensors).toBe(before);
    // rewinding in place
    const other = snapshotWeights(createEncoder(TINY, new Rng(6)).params);
    assignWeights(copy.params, other);
    expect([...copy.params.get('uniter.pooler.dense.weight')!.dataSync()]).toEqual([
      ...other.get('uniter.pooler.dense.weight')!,
    ]);
    enc.dispose();
    copy.dispose();
  });
});
