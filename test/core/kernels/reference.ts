/** Float64 reference products for the kernel tests (independent of any tfjs kernel). */
import * as tf from '@tensorflow/tfjs';

/** Seeded standard-ish values so failures reproduce (no Math.random in tests either). */
export function seededTensor(shape: number[], seed: number): tf.Tensor {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((p, d) => p * d, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    v[i] = (s / 4294967296) * 4 - 2;
  }
  return tf.tensor(v, shape, 'float32');
}

export interface RefResult {
  shape: number[];
  values: Float64Array;
  magnitude: Float64Array;
}

/** numpy-style batched matmul with broadcasting; magnitude = Σ|a||b| per element (error scale). */
export function refMatmul(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean): RefResult {
  const av = a.dataSync();
  const bv = b.dataSync();
  const ra = a.rank,
    rb = b.rank;
  const m = ta ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = ta ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = tb ? b.shape[rb - 2] : b.shape[rb - 1];
  const aD = a.shape.slice(0, -2),
    bD = b.shape.slice(0, -2);
  const r = Math.max(aD.length, bD.length);
  const pa = [...new Array<number>(r - aD.length).fill(1), ...aD];
  const pb = [...new Array<number>(r - bD.length).fill(1), ...bD];
  const oD = pa.map((d, i) => Math.max(d, pb[i]));
  const batch = oD.reduce((p, d) => p * d, 1);
  const values = new Float64Array(batch * m * n);
  const magnitude = new Float64Array(batch * m * n);
  for (let bi = 0; bi < batch; bi++) {
    let rem = bi,
      ia = 0,
      ib = 0,
      sa = 1,
      sb = 1;
    for (let d = r - 1; d >= 0; d--) {
      const c = rem % oD[d];
      rem = Math.floor(rem / oD[d]);
      if (pa[d] !== 1) ia += c * sa;
      if (pb[d] !== 1) ib += c * sb;
      sa *= pa[d];
      sb *= pb[d];
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0,
          mag = 0;
        for (let p = 0; p < k; p++) {
          const x = av[ia * m * k + (ta ? p * m + i : i * k + p)];
          const y = bv[ib * k * n + (tb ? j * k + p : p * n + j)];
          acc += x * y;
          mag += Math.abs(x * y);
        }
        values[(bi * m + i) * n + j] = acc;
        magnitude[(bi * m + i) * n + j] = mag;
      }
    }
  }
  return { shape: [...oD, m, n], values, magnitude };
}

/** Largest |got - want| and largest |got - want| / (Σ|a||b| + 1e-30). */
export function errors(got: ArrayLike<number>, ref: RefResult): { abs: number; rel: number } {
  let abs = 0,
    rel = 0;
  for (let i = 0; i < ref.values.length; i++) {
    const e = Math.abs(got[i] - ref.values[i]);
    abs = Math.max(abs, e);
    rel = Math.max(rel, e / (ref.magnitude[i] + 1e-30));
  }
  return { abs, rel };
}
