/**
 * Loads the optional OpenBLAS addon built from native/ by scripts/build-native.js.
 * Absent or unloadable addon -> null, and callers keep the plain tfjs kernels.
 */
import * as fs from 'fs';
import { coreSettings } from '../settings';
import * as os from 'os';
import * as path from 'path';

export interface NativeBlas {
  /**
   * C[i] = op(A[ai]) · op(B[bi]) (+ bias row, then relu if asked) for i < batch, all float32,
   * in place in `heap`. ai = aIdx[i] when given, else (batchA === 1 ? 0 : i); likewise bi.
   * Offsets are byte offsets into heap; biasOff < 0 means no bias.
   */
  matmul(
    heap: Uint8Array,
    aOff: number,
    bOff: number,
    cOff: number,
    batch: number,
    m: number,
    n: number,
    k: number,
    transA: boolean,
    transB: boolean,
    batchA: number,
    batchB: number,
    aIdx: Int32Array | null,
    bIdx: Int32Array | null,
    biasOff: number,
    relu: boolean,
  ): void;
  /** out[j] = Σ_i x[i·inner + j] (float32, i ascending): a sum over leading axes. */
  sumLeading(heap: Uint8Array, xOff: number, outOff: number, outer: number, inner: number): void;
  /** out = exp(x) (op 0) or erf(x) (op 1), float32, n elements (AVX2 via libmvec when the CPU has it). */
  unary(heap: Uint8Array, op: 0 | 1, xOff: number, outOff: number, n: number): void;
  /**
   * out = a op b (op 0 add, 1 sub, 2 mul, 3 div), float32, broadcast as described by desc =
   * [rank, dims..., aStrides..., bStrides...] (element strides, 0 on broadcast dims).
   */
  binary?(heap: Uint8Array, op: number, aOff: number, bOff: number, outOff: number, desc: Int32Array): void;
  /**
   * One fused AdamW step over every parameter, in place in `heap` (see native/blas.cc):
   * table holds 7 numbers per parameter [pOff, gOff, mOff, vOff, maskOff or -1, n, decay 0/1],
   * hyper is [lr, beta1, beta2, eps, weightDecay, bc1, bc2, clipNorm or 0]. Returns the
   * gradient clipping factor applied (1 without clipping).
   */
  adamw?(heap: Uint8Array, table: Float64Array, hyper: Float64Array): number;
  /** n threads for large products; products with m·n·k < smallMnk on one (0: OpenBLAS decides). */
  setThreads(n: number, smallMnk?: number): void;
  getThreads(): number;
  /** OpenBLAS build description, e.g. "OpenBLAS 0.3.21 ... core=Haswell". */
  config(): string;
}

let cached: NativeBlas | null | undefined;
let loadError: string | null = null;

/** Candidate locations: the copy the install script makes, then node-gyp's own output. */
function candidates(): string[] {
  const roots = [path.resolve(__dirname, '../../..'), path.resolve(__dirname, '../../../..')];
  const out: string[] = [];
  for (const r of roots) {
    out.push(path.join(r, 'build', 'ticketlab_blas.node'));
    out.push(path.join(r, 'native', 'build', 'Release', 'ticketlab_blas.node'));
  }
  return out;
}

/** Thread count: TICKETLAB_BLAS_THREADS when set to a positive integer, else the core count. */
export function blasThreadsWanted(): number {
  const fixed = coreSettings().blasThreads;
  if (fixed !== null) return fixed;
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * m·n·k below which a matmul runs on one thread: TICKETLAB_BLAS_SMALL_MNK when set (0 lets
 * OpenBLAS decide alone), else DEFAULT_SMALL_MNK (chosen from 1- vs 2-thread timings of the
 * training step's products on 2 shared cores).
 */
export const DEFAULT_SMALL_MNK = 1 << 25;
export function blasSmallMnkWanted(): number {
  return coreSettings().blasSmallMnk ?? DEFAULT_SMALL_MNK;
}

/** Whether TICKETLAB_BLAS_THREADS fixes the thread count (no measured choice then). */
export function blasThreadsFixed(): boolean {
  return coreSettings().blasThreads !== null;
}

/** The addon, loaded once; null when it is not built or does not load (see nativeLoadError). */
export function loadNativeBlas(): NativeBlas | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (coreSettings().nativeDisabled) {
    loadError = 'disabled by TICKETLAB_NATIVE=0';
    return cached;
  }
  const file = candidates().find((f) => fs.existsSync(f));
  if (!file) {
    loadError = 'addon not built (run `node scripts/build-native.js`)';
    return cached;
  }
  try {
    const addon = require(file) as NativeBlas;
    addon.setThreads(blasThreadsWanted(), blasSmallMnkWanted());
    cached = addon;
  } catch (e) {
    loadError = `addon failed to load: ${(e as Error).message.split('\n')[0]}`;
  }
  return cached;
}

/** Why loadNativeBlas returned null, or null when it loaded. */
export function nativeLoadError(): string | null {
  loadNativeBlas();
  return loadError;
}
