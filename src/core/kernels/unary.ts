/**
 * Exp and Erf for the wasm backend. The exact GELU (x·½·(1+erf(x/√2))) runs Erf forward and
 * Exp in its gradient over the whole FFN activation; wasm has no vector exp/erf, so these
 * two were the largest elementwise kernels of a training step once matmul was native.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './matmul';
import type { NativeBlas } from './native';

export const UNARY_OPS = { Exp: 0, Erf: 1 } as const;

export function nativeUnary(
  blas: NativeBlas,
  backend: WasmBackendLike,
  op: keyof typeof UNARY_OPS,
  x: tf.TensorInfo,
): tf.TensorInfo | null {
  if (x.dtype !== 'float32') return null;
  const out = backend.makeOutput(x.shape, 'float32');
  const n = x.shape.reduce((p, d) => p * d, 1);
  if (n === 0) return out;
  // Offsets and HEAPU8 only after makeOutput (memory growth replaces the buffer).
  const xd = backend.dataIdMap.get(x.dataId);
  const od = backend.dataIdMap.get(out.dataId);
  if (!xd || !od) throw new Error('native unary: tensor not on the wasm backend');
  blas.unary(backend.wasm.HEAPU8, UNARY_OPS[op], xd.memoryOffset, od.memoryOffset, n);
  return out;
}
