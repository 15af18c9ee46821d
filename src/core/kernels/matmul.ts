/**
 * BatchMatMul and _FusedMatMul for the tfjs `wasm` backend on OpenBLAS. Operands stay in
 * the wasm heap: the addon receives the heap and byte offsets, so nothing is copied.
 * Anything the native path does not cover (non-float32, activations other than
 * linear/relu, prelu weights, non-vector bias) goes to the backend's original kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from './native';
import { withChosenThreads } from './threads';

/** The parts of tfjs-backend-wasm's BackendWasm this kernel needs. */
export interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

export interface MatmulSpec {
  a: tf.TensorInfo;
  b: tf.TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  bias?: tf.TensorInfo;
  relu?: boolean;
}

/**
 * For each output batch entry, the batch entry of an operand with batch shape `dims`
 * broadcast against `outDims` (numpy rules), or null when no index array is needed
 * (operand batch equals the output batch, or is a single matrix).
 */
export function broadcastIndex(dims: number[], outDims: number[]): Int32Array | null {
  const size = dims.reduce((p, d) => p * d, 1);
  const outSize = outDims.reduce((p, d) => p * d, 1);
  if (size === 1 || size === outSize) return null;
  const padded = new Array<number>(outDims.length - dims.length).fill(1).concat(dims);
  const idx = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    let rem = i;
    let src = 0;
    let stride = 1;
    for (let d = outDims.length - 1; d >= 0; d--) {
      const coord = rem % outDims[d];
      rem = Math.floor(rem / outDims[d]);
      if (padded[d] !== 1) src += coord * stride;
      stride *= padded[d];
    }
    idx[i] = src;
  }
  return idx;
}

/** Whether the native path can run this product (else the caller falls back). */
export function nativeSupports(s: MatmulSpec): boolean {
  if (s.a.dtype !== 'float32' || s.b.dtype !== 'float32') return false;
  if (s.a.shape.length < 2 || s.b.shape.length < 2) return false;
  if (s.bias) {
    const n = s.transposeB ? s.b.shape[s.b.shape.length - 2] : s.b.shape[s.b.shape.length - 1];
    if (s.bias.dtype !== 'float32' || s.bias.shape.length !== 1 || s.bias.shape[0] !== n) return false;
  }
  return true;
}

/** Runs op(a)·op(b) (+bias, relu) natively into a fresh output tensor of `backend`. */
export function nativeMatmul(blas: NativeBlas, backend: WasmBackendLike, s: MatmulSpec): tf.TensorInfo {
  const { a, b, transposeA, transposeB } = s;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const ka = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (ka !== kb) {
    throw new Error(
      `Error in matMul: inner shapes (${ka}) and (${kb}) of Tensors with shapes ` +
        `${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const aDims = a.shape.slice(0, -2);
  const bDims = b.shape.slice(0, -2);
  const outDims = tf.broadcast_util.assertAndGetBroadcastShape(aDims, bDims);
  const batch = outDims.reduce((p, d) => p * d, 1);
  const batchA = aDims.reduce((p, d) => p * d, 1);
  const batchB = bDims.reduce((p, d) => p * d, 1);
  const out = backend.makeOutput([...outDims, m, n], 'float32');
  if (batch * m * n === 0) return out;
  // Offsets and the heap view are read only now: makeOutput may have grown the wasm
  // memory, which replaces the ArrayBuffer behind HEAPU8.
  const off = (t: tf.TensorInfo): number => {
    const d = backend.dataIdMap.get(t.dataId);
    if (!d) throw new Error('native matmul: tensor not on the wasm backend');
    return d.memoryOffset;
  };
  const aIdx = batchA === 0 ? null : broadcastIndex(aDims, outDims);
  const bIdx = batchB === 0 ? null : broadcastIndex(bDims, outDims);
  withChosenThreads(blas, batch, m * n * ka, () =>
    blas.matmul(
      backend.wasm.HEAPU8,
      off(a),
      off(b),
      off(out),
      batch,
      m,
      n,
      ka,
      transposeA,
      transposeB,
      Math.max(batchA, 1),
      Math.max(batchB, 1),
      aIdx,
      bIdx,
      s.bias ? off(s.bias) : -1,
      !!s.relu,
    ),
  );
  return out;
}
