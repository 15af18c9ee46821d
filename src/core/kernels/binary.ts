/**
 * Add, Sub, Multiply and RealDiv for float32 on the wasm backend, with numpy broadcasting.
 * The wasm kernels take 30–200 µs on a training step's [B, L, H] tensors, much of it in their
 * generic broadcast loop (e.g. LayerNorm's [B, L, H] ⊙ [B, L, 1]); a step runs ~200 of them.
 * The broadcast is reduced here to a few (dims, strides) so the native loop is contiguous.
 * Same IEEE float32 operation, so results are identical to the wasm kernels'.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './matmul';
import type { NativeBlas } from './native';

type BinaryBlas = NativeBlas & Required<Pick<NativeBlas, 'binary'>>;

export const BINARY_OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;
export type BinaryOp = keyof typeof BINARY_OPS;

const MAX_RANK = 8;

/**
 * [rank, dims..., aStrides..., bStrides...] for out = a op b: size-1 output dims dropped,
 * broadcast dims given stride 0, and neighbouring dims merged when both operands run
 * contiguously across them. Null when the collapsed rank exceeds the native limit.
 */
export function broadcastDescriptor(aShape: number[], bShape: number[], outShape: number[]): Int32Array | null {
  const r = outShape.length;
  const stridesOf = (shape: number[]): number[] => {
    const padded = [...new Array<number>(r - shape.length).fill(1), ...shape];
    const s = new Array<number>(r).fill(0);
    let acc = 1;
    for (let d = r - 1; d >= 0; d--) {
      s[d] = padded[d] === 1 ? 0 : acc;
      acc *= padded[d];
    }
    return s;
  };
  const sa = stridesOf(aShape);
  const sb = stridesOf(bShape);
  const dims: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let d = 0; d < r; d++) {
    if (outShape[d] === 1) continue;
    const k = dims.length - 1;
    // Merge into the previous dim when stepping it equals stepping this one dims[d] times.
    if (k >= 0 && as[k] === sa[d] * outShape[d] && bs[k] === sb[d] * outShape[d]) {
      dims[k] *= outShape[d];
      as[k] = sa[d];
      bs[k] = sb[d];
    } else {
      dims.push(outShape[d]);
      as.push(sa[d]);
      bs.push(sb[d]);
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    as.push(0);
    bs.push(0);
  }
  if (dims.length > MAX_RANK) return null;
  return Int32Array.from([dims.length, ...dims, ...as, ...bs]);
}

export function nativeBinary(
  blas: NativeBlas,
  backend: WasmBackendLike,
  op: BinaryOp,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
): tf.TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || typeof blas.binary !== 'function') return null;
  const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const size = outShape.reduce((p, d) => p * d, 1);
  const desc = size === 0 ? null : broadcastDescriptor(a.shape, b.shape, outShape);
  if (size !== 0 && !desc) return null;
  const out = backend.makeOutput(outShape, 'float32');
  if (size === 0) return out;
  // Offsets and HEAPU8 only after makeOutput (memory growth replaces the buffer).
  const ad = backend.dataIdMap.get(a.dataId);
  const bd = backend.dataIdMap.get(b.dataId);
  const od = backend.dataIdMap.get(out.dataId);
  if (!ad || !bd || !od) throw new Error('native binary: tensor not on the wasm backend');
  (blas as BinaryBlas).binary(
    backend.wasm.HEAPU8,
    BINARY_OPS[op],
    ad.memoryOffset,
    bd.memoryOffset,
    od.memoryOffset,
    desc!,
  );
  return out;
}

/**
 * Tile where every repeated dimension has size 1 (what tf.broadcastTo emits; Mean's gradient
 * in grads.ts uses it): a strided copy. Any real tiling goes back to the wasm kernel (null).
 */
export function nativeBroadcastTile(
  blas: NativeBlas,
  backend: WasmBackendLike,
  x: tf.TensorInfo,
  reps: readonly number[],
): tf.TensorInfo | null {
  if (x.dtype !== 'float32' || typeof blas.binary !== 'function' || reps.length !== x.shape.length) return null;
  if (x.shape.some((d, i) => reps[i] !== 1 && d !== 1)) return null;
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const size = outShape.reduce((p, d) => p * d, 1);
  const desc = size === 0 ? null : broadcastDescriptor(x.shape, x.shape, outShape);
  if (size !== 0 && !desc) return null;
  const out = backend.makeOutput(outShape, 'float32');
  if (size === 0) return out;
  const xd = backend.dataIdMap.get(x.dataId);
  const od = backend.dataIdMap.get(out.dataId);
  if (!xd || !od) throw new Error('native tile: tensor not on the wasm backend');
  (blas as BinaryBlas).binary(backend.wasm.HEAPU8, 4, xd.memoryOffset, xd.memoryOffset, od.memoryOffset, desc!);
  return out;
}
