/**
 * Attaches the native OpenBLAS matmul kernels (plus a leading-axes Sum, Exp, Erf, broadcasting
 * Add/Sub/Multiply/RealDiv, broadcast-only Tile and a zero-copy Identity and same-dtype Cast) to the tfjs `wasm` backend when the addon is built;
 * src/core/backend.ts imports this module so initBackend() does it by itself.
 * The backend's original kernels are kept: they run whatever the native path does not
 * cover, and everything when setNativeKernelsEnabled(false) (benchmarks compare both).
 */
import * as tf from '@tensorflow/tfjs';
import { registerKernelHook, type BackendName } from './hooks';
import { nativeMatmul, nativeSupports, type MatmulSpec, type WasmBackendLike } from './matmul';
import { loadNativeBlas, nativeLoadError, type NativeBlas } from './native';
import { nativeSum } from './sum';
import { nativeUnary } from './unary';
import { BINARY_OPS, nativeBinary, nativeBroadcastTile, type BinaryOp } from './binary';
import { registerMeanGradient } from './grads';

const KERNELS = [
  'BatchMatMul',
  '_FusedMatMul',
  'Sum',
  'Identity',
  'Exp',
  'Erf',
  'Tile',
  'Cast',
  ...Object.keys(BINARY_OPS),
];
const originals = new Map<string, tf.KernelConfig>();
let enabled = true;
/** Kernels switched off one by one (benchmarks measure each kernel's share). */
const disabled = new Set<string>();
let installedName: string | null = null;

function specOf(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): MatmulSpec | null {
  const { a, b } = inputs;
  if (!a || !b) return null;
  const spec: MatmulSpec = {
    a,
    b,
    transposeA: !!attrs.transposeA,
    transposeB: !!attrs.transposeB,
  };
  if (name === '_FusedMatMul') {
    const act = attrs.activation as string | undefined;
    if (inputs.preluActivationWeights != null || (act !== undefined && act !== 'linear' && act !== 'relu')) return null;
    if (inputs.bias != null) spec.bias = inputs.bias;
    spec.relu = act === 'relu';
  }
  return nativeSupports(spec) ? spec : null;
}

function wrap(name: string, original: tf.KernelConfig, blas: NativeBlas): tf.KernelConfig {
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
    if (disabled.has(name)) return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
    const sameDtypeCast =
      name === 'Cast' && args.inputs.x && (args.attrs as { dtype?: string } | undefined)?.dtype === args.inputs.x.dtype;
    if ((name === 'Identity' || sameDtypeCast) && enabled && args.inputs.x) {
      // Zero-copy, as the cpu backend does: the engine clones every tensor it saves for the
      // backward pass through Identity, Mul/Div gradients cast float32 operands to float32,
      // and tensor data is never written in place (the fused AdamW copies a shared buffer first).
      const x = args.inputs.x;
      (args.backend as { incRef(dataId: object): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    }
    if ((name === 'Exp' || name === 'Erf') && enabled && args.inputs.x) {
      const out = nativeUnary(blas, args.backend as WasmBackendLike, name, args.inputs.x);
      if (out) return out;
      return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
    }
    if (name in BINARY_OPS && enabled && args.inputs.a && args.inputs.b) {
      const out = nativeBinary(blas, args.backend as WasmBackendLike, name as BinaryOp, args.inputs.a, args.inputs.b);
      return out ?? original.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
    }
    if (name === 'Tile' && enabled && args.inputs.x) {
      const reps = (args.attrs as { reps?: number[] } | undefined)?.reps ?? [];
      const out = nativeBroadcastTile(blas, args.backend as WasmBackendLike, args.inputs.x, reps);
      return out ?? original.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
    }
    if (name === 'Sum') {
      const x = args.inputs.x;
      const attrs = (args.attrs ?? {}) as { axis?: number | number[] | null; keepDims?: boolean };
      const out =
        enabled && x && attrs.axis != null
          ? nativeSum(blas, args.backend as WasmBackendLike, x, attrs.axis, !!attrs.keepDims)
          : null;
      return out ?? original.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
    }
    const spec = enabled ? specOf(name, args.inputs, args.attrs ?? {}) : null;
    if (!spec) return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
    return nativeMatmul(blas, args.backend as WasmBackendLike, spec);
  };
  // setupFunc stays the original's so a re-initialised backend still sets up the fallback.
  return { ...original, kernelFunc: kernelFunc as tf.KernelFunc };
}

/**
 * Replaces the wasm backend's matmul kernels by native ones. Returns the kernel-set name
 * for ComputeInfo.kernels, or null when the backend is not wasm or the addon is absent.
 */
export function installNativeKernels(backend: BackendName): string | null {
  if (backend !== 'wasm') return null;
  const blas = loadNativeBlas();
  if (!blas) return null;
  if (installedName) return installedName;
  for (const name of KERNELS) {
    const original = tf.getKernel(name, 'wasm');
    if (!original) continue;
    originals.set(name, original);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(wrap(name, original, blas));
  }
  installedName = `native-blas (openblas, ${blas.getThreads()} threads)`;
  return installedName;
}

/**
 * Routes the hot ops to the native kernels (true, default) or the original ones (false).
 * With `only`, switches just those kernels (e.g. ['Add', 'AdamW']; 'AdamW' is the fused
 * optimiser step) and leaves the global switch alone.
 */
export function setNativeKernelsEnabled(on: boolean, only?: readonly string[]): void {
  if (!only) {
    enabled = on;
    return;
  }
  for (const n of only) {
    if (on) disabled.delete(n);
    else disabled.add(n);
  }
}

/** Whether native kernel `name` would run now (installed, globally on, not switched off). */
export function nativeKernelEnabled(name: string): boolean {
  return installedName !== null && enabled && !disabled.has(name);
}

export interface NativeKernelStatus {
  installed: boolean;
  enabled: boolean;
  /** e.g. "native-blas (openblas, 2 threads)"; null when not installed. */
  name: string | null;
  /** Why the addon is unavailable, when it is. */
  reason: string | null;
}

export function nativeKernelStatus(): NativeKernelStatus {
  return { installed: installedName !== null, enabled, name: installedName, reason: nativeLoadError() };
}

registerKernelHook(installNativeKernels);
// The tile form only pays with the native broadcast copy (an addon built before it has no `binary`).
registerMeanGradient(
  () => tf.getBackend() === 'wasm' && nativeKernelEnabled('Tile') && typeof loadNativeBlas()?.binary === 'function',
);
