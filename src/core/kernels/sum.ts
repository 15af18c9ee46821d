/**
 * Sum over leading axes (e.g. [B, L, H] -> [H]) for the wasm backend. Gradients of biases
 * and LayerNorm parameters are such sums; tfjs-backend-wasm computes them by transposing
 * the whole input so the reduced axes come last, which costs more than the reduction.
 * Other reductions go to the original kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './matmul';
import type { NativeBlas } from './native';

/** Number of leading axes reduced, or -1 when `axis` is not a leading prefix of x's axes. */
export function leadingAxes(rank: number, axis: number | number[]): number {
  const list = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a));
  const uniq = [...new Set(list)].sort((a, b) => a - b);
  if (uniq.length === 0 || uniq.length >= rank) return -1; // all axes: wasm already reduces innermost
  return uniq.every((a, i) => a === i) ? uniq.length : -1;
}

export function nativeSum(
  blas: NativeBlas,
  backend: WasmBackendLike,
  x: tf.TensorInfo,
  axis: number | number[],
  keepDims: boolean,
): tf.TensorInfo | null {
  if (x.dtype !== 'float32') return null;
  const lead = leadingAxes(x.shape.length, axis);
  if (lead < 0) return null;
  const outer = x.shape.slice(0, lead).reduce((p, d) => p * d, 1);
  const rest = x.shape.slice(lead);
  const inner = rest.reduce((p, d) => p * d, 1);
  const outShape = keepDims ? [...new Array<number>(lead).fill(1), ...rest] : rest;
  const out = backend.makeOutput(outShape, 'float32');
  if (inner === 0) return out;
  // As for matmul: offsets and HEAPU8 only after makeOutput (memory growth).
  const xd = backend.dataIdMap.get(x.dataId);
  const od = backend.dataIdMap.get(out.dataId);
  if (!xd || !od) throw new Error('native sum: tensor not on the wasm backend');
  blas.sumLeading(backend.wasm.HEAPU8, xd.memoryOffset, od.memoryOffset, outer, inner);
  return out;
}
