/**
 * The AdamW step as one native call over all parameters (native/adamw.cc), on the wasm
 * backend with the OpenBLAS addon. The tfjs path in adamw.ts issues ~12 ops per parameter
 * plus ~3 per parameter for clipping; on small models that engine overhead was a large share
 * of the training step. Same arithmetic in the same float32 order, so results agree with the
 * tfjs path (bit for bit except the clipping norm's summation order).
 *
 * Parameters and moments are updated in place in the wasm heap. That is only safe when no
 * other tensor shares the buffer: a shared one (refCount > 1, e.g. a zero-copy clone held
 * elsewhere) is first given a private copy, so other holders never see the update.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeKernelEnabled } from '../kernels/install';
import { loadNativeBlas } from '../kernels/native';
import type { WasmBackendLike } from '../kernels/matmul';

interface WasmBackendRc extends WasmBackendLike {
  refCount(dataId: object): number;
}

export interface NativeAdamwParam {
  p: tf.Variable;
  g: tf.Tensor;
  m: tf.Variable;
  v: tf.Variable;
  mask?: tf.Tensor;
  decay: boolean;
}

export interface NativeAdamwHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  bc1: number;
  bc2: number;
  /** global gradient-norm limit; 0 = none. */
  clipNorm: number;
}

/** Whether the fused step can run now (wasm backend active, addon with `adamw`, kernels on). */
export function nativeAdamwAvailable(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  return nativeKernelEnabled('AdamW') && typeof loadNativeBlas()?.adamw === 'function';
}

const sameShape = (a: tf.Tensor, b: tf.Tensor): boolean =>
  a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);

/** Gives `v` its own copy of its buffer when another tensor shares it. */
function makePrivate(backend: WasmBackendRc, v: tf.Variable): void {
  if (backend.refCount(v.dataId) <= 1) return;
  const out = backend.makeOutput(v.shape, 'float32');
  const heap = backend.wasm.HEAPU8; // after makeOutput: it may have grown the memory
  const src = backend.dataIdMap.get(v.dataId)!.memoryOffset;
  const dst = backend.dataIdMap.get(out.dataId)!.memoryOffset;
  heap.copyWithin(dst, src, src + v.size * 4);
  const t = tf.engine().makeTensorFromTensorInfo(out);
  v.assign(t);
  t.dispose();
}

/**
 * Runs the fused update; returns false (having changed nothing) when the native path does
 * not apply to these tensors (dtype, shape, another backend, aliasing), so the caller can
 * run the tfjs path instead.
 */
export function nativeAdamwStep(params: readonly NativeAdamwParam[], h: NativeAdamwHyper): boolean {
  if (!nativeAdamwAvailable()) return false;
  const blas = loadNativeBlas()!;
  const backend = tf.backend() as unknown as WasmBackendRc;
  for (const q of params) {
    const all = [q.p, q.g, q.m, q.v, ...(q.mask ? [q.mask] : [])];
    if (
      all.some((t) => t.isDisposed || t.dtype !== 'float32' || !sameShape(t, q.p) || !backend.dataIdMap.get(t.dataId))
    )
      return false;
  }
  // Value-preserving, so harmless even if the step then falls back.
  for (const q of params) for (const w of [q.p, q.m, q.v]) makePrivate(backend, w);
  const written = new Set<object>(params.flatMap((q) => [q.p.dataId, q.m.dataId, q.v.dataId]));
  if (written.size !== params.length * 3) return false; // the same variable listed twice
  // A gradient or mask sharing a buffer with a written tensor would be read while written.
  if (params.some((q) => written.has(q.g.dataId) || (q.mask && written.has(q.mask.dataId)))) return false;
  const table = new Float64Array(params.length * 7);
  const off = (t: tf.Tensor): number => backend.dataIdMap.get(t.dataId)!.memoryOffset;
  params.forEach((q, j) => {
    table.set([off(q.p), off(q.g), off(q.m), off(q.v), q.mask ? off(q.mask) : -1, q.p.size, q.decay ? 1 : 0], j * 7);
  });
  const hyper = Float64Array.of(
    h.lr,
    h.beta1,
    h.beta2,
    h.eps,
    h.weightDecay,
    h.bc1,
    h.bc2,
    h.clipNorm > 0 ? h.clipNorm : 0,
  );
  blas.adamw!(backend.wasm.HEAPU8, table, hyper);
  return true;
}
