import { Rng } from '../../../src/core/rng';
import { Mask } from '../../../src/core/pruning/mask';
import { PruningError } from '../../../src/core/pruning/errors';
import { encodeSafetensors } from '../../../src/core/io/safetensors';

function randomBits(n: number, p: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.next() < p ? 1 : 0;
  return out;
}

describe('Mask packing', () => {
  test('pack/unpack round trip for odd lengths, whole and per tensor, aligned or not', () => {
    for (const n of [0, 1, 7, 8, 9, 31, 32, 33, 63, 64, 65, 100, 257, 1001]) {
      const bits = randomBits(n, 0.6, n);
      const m = Mask.pack([{ name: 'w', shape: [n] }], bits);
      expect(Array.from(m.unpack())).toEqual(Array.from(bits));
      expect(m.kept).toBe(bits.reduce((a, b) => a + b, 0));
      // an input view starting at an odd byte offset takes the slow path and must agree
      const shifted = new Uint8Array(n + 1);
      shifted.set(bits, 1);
      expect(Mask.pack([{ name: 'w', shape: [n] }], shifted.subarray(1)).equals(m)).toBe(true);
    }
    const specs = [
      { name: 'a', shape: [3, 5] },
      { name: 'b', shape: [33] },
      { name: 'c', shape: [2, 2, 17] },
      { name: 'd', shape: [0] },
    ];
    const parts = specs.map((s, i) =>
      randomBits(
        s.shape.reduce((a, b) => a * b, 1),
        0.5,
        10 + i,
      ),
    );
    const m = Mask.pack(specs, parts);
    expect(m.total).toBe(15 + 33 + 68);
    parts.forEach((p, i) => expect(Array.from(m.unpackSegment(i))).toEqual(Array.from(p)));
    expect(Array.from(m.unpackSegment('c'))).toEqual(Array.from(parts[2]));
    const whole = new Uint8Array(m.total);
    let o = 0;
    for (const p of parts) {
      whole.set(p, o);
      o += p.length;
    }
    expect(Mask.pack(specs, whole).equals(m)).toBe(true);
    for (let i = 0; i < m.total; i++) expect(m.get(i)).toBe(whole[i] === 1);
  });

  test('at-rest bytes are LSB-first with 1 = kept, and bits past the end are zero', () => {
    const bits = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1]);
    const m = Mask.pack([{ name: 'w', shape: [11] }], bits);
    expect(Array.from(m.toBytes())).toEqual([0b10000001, 0b110]);
    expect(Mask.fromPacked([{ name: 'w', shape: [11] }], m.toBytes()).equals(m)).toBe(true);
    expect(() => Mask.fromPacked([{ name: 'w', shape: [11] }], Uint8Array.from([0, 0b1000]))).toThrow(PruningError);
    expect(Array.from(Mask.ones([{ name: 'w', shape: [11] }]).toBytes())).toEqual([255, 7]);
  });

  test('values other than 0/1 are rejected, in fast and slow paths', () => {
    const bad = new Uint8Array(64).fill(1);
    bad[45] = 2;
    expect(() => Mask.pack([{ name: 'w', shape: [64] }], bad)).toThrow(/got 2 at position 45/);
    const small = Uint8Array.from([1, 255]);
    expect(() => Mask.pack([{ name: 'w', shape: [2] }], small)).toThrow(PruningError);
  });

  test('counts, per-layer stats, exact sparsity and sha256', () => {
    const specs = [
      { name: 'a', shape: [10] },
      { name: 'b', shape: [30] },
    ];
    const bits = new Uint8Array(40).fill(1);
    for (const i of [0, 3, 9, 10, 11, 39]) bits[i] = 0;
    const m = Mask.pack(specs, bits);
    expect([m.total, m.kept, m.pruned]).toEqual([40, 34, 6]);
    expect(m.sparsity).toBe(6 / 40);
    expect(m.layerStats()).toEqual([
      { name: 'a', total: 10, pruned: 3, sparsity: 0.3 },
      { name: 'b', total: 30, pruned: 3, sparsity: 0.1 },
    ]);
    expect(m.sha256()).toMatch(/^[0-9a-f]{64}$/);
    expect(m.sha256()).toBe(Mask.pack(specs, bits).sha256());
    bits[5] = 0;
    expect(Mask.pack(specs, bits).sha256()).not.toBe(m.sha256());
    expect(Mask.ones([]).sparsity).toBe(0);
  });

  test('isSubsetOf checks nesting and refuses different layouts', () => {
    const specs = [{ name: 'w', shape: [70] }];
    const big = randomBits(70, 0.7, 1);
    const small = big.map((b, i) => (i % 3 === 0 ? 0 : b));
    const mb = Mask.pack(specs, big);
    const ms = Mask.pack(specs, small);
    expect(ms.isSubsetOf(mb)).toBe(true);
    expect(mb.isSubsetOf(ms)).toBe(big.some((b, i) => b === 1 && small[i] === 0) ? false : true);
    expect(mb.isSubsetOf(Mask.ones(specs))).toBe(true);
    expect(() => ms.isSubsetOf(Mask.ones([{ name: 'v', shape: [70] }]))).toThrow(/different layouts/);
  });

  test('applyTo zeroes exactly the pruned weights', () => {
    const specs = [
      { name: 'a', shape: [5] },
      { name: 'b', shape: [70] },
    ];
    const bits = randomBits(75, 0.5, 3);
    for (let i = 5; i < 5 + 32; i++) bits[i] = 1; // one all-kept word region
    const m = Mask.pack(specs, bits);
    const w = Float32Array.from({ length: 70 }, (_, i) => i + 1);
    m.applyTo('b', w);
    w.forEach((v, i) => expect(v).toBe(bits[5 + i] ? i + 1 : 0));
  });
});

describe('Mask safetensors export', () => {
  const specs = [
    { name: 'layer.0.w', shape: [3, 7] },
    { name: 'pooler.w', shape: [13] },
  ];

  test('round trip: one U8 0/1 tensor per weight, named and shaped like it', () => {
    const m = Mask.pack(specs, randomBits(34, 0.4, 9));
    const buf = m.toSafetensors({ run: '42' });
    const back = Mask.fromSafetensors(buf, specs);
    expect(back.equals(m)).toBe(true);
    expect(Mask.fromSafetensors(buf).equals(m)).toBe(true);
    expect(Array.from(Mask.fromSafetensors(buf).unpackSegment('layer.0.w'))).toEqual(Array.from(m.unpackSegment(0)));
  });

  test('rejects wrong shapes, missing tensors, non-U8 data, non-binary values', () => {
    const m = Mask.ones(specs);
    expect(() => Mask.fromSafetensors(m.toSafetensors(), [{ name: 'layer.0.w', shape: [7, 3] }, specs[1]])).toThrow(
      /shape/,
    );
    expect(() => Mask.fromSafetensors(m.toSafetensors(), [...specs, { name: 'x', shape: [1] }])).toThrow(PruningError);
    const f32 = encodeSafetensors([
      { name: 'layer.0.w', dtype: 'F32', shape: [3, 7], data: new Float32Array(21) },
      { name: 'pooler.w', dtype: 'U8', shape: [13], data: new Uint8Array(13) },
    ]);
    expect(() => Mask.fromSafetensors(f32, specs)).toThrow(/F32, expected U8/);
    const twos = encodeSafetensors([
      { name: 'layer.0.w', dtype: 'U8', shape: [3, 7], data: new Uint8Array(21).fill(2) },
      { name: 'pooler.w', dtype: 'U8', shape: [13], data: new Uint8Array(13) },
    ]);
    expect(() => Mask.fromSafetensors(twos, specs)).toThrow(/0 or 1/);
  });
});
