/**
 * tfjs-backend-wasm has no UnsortedSegmentSum, which the gradient of tf.gather needs: without
 * it, training anything that looks up embeddings fails on wasm. This registers an exact JS
 * implementation (a plain scatter-add, the same sum the cpu backend computes) for wasm only.
 */
import * as tf from '@tensorflow/tfjs';

interface WasmLike {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function unsortedSegmentSum(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as WasmLike;
  const x = args.inputs.x;
  const ids = args.inputs.segmentIds;
  if (!x || !ids) throw new Error('UnsortedSegmentSum needs x and segmentIds');
  const numSegments = Number((args.attrs as { numSegments: number }).numSegments);
  // segmentIds covers a prefix of x's dimensions; each id selects an output row of `inner` values.
  const rows = ids.shape.reduce((a, b) => a * b, 1);
  const rest = x.shape.slice(ids.shape.length);
  const inner = rest.reduce((a, b) => a * b, 1);
  const xv = backend.readSync(x.dataId);
  const iv = backend.readSync(ids.dataId);
  const out = backend.makeOutput([numSegments, ...rest], x.dtype);
  const ov = backend.typedArrayFromHeap(out);
  ov.fill(0);
  for (let r = 0; r < rows; r++) {
    const seg = iv[r];
    if (seg < 0 || seg >= numSegments) continue; // TF drops out-of-range ids
    const o = seg * inner;
    const s = r * inner;
    for (let j = 0; j < inner; j++) ov[o + j] += xv[s + j];
  }
  return out;
}

let registered = false;

/** Idempotent; safe to call before or after the wasm backend is initialised. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    tf.registerKernel({
      kernelName: 'UnsortedSegmentSum',
      backendName: 'wasm',
      kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
    });
  }
}
