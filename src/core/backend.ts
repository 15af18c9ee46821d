/**
 * Picks the tfjs backend at start-up and reports it honestly (DESIGN §1): `tensorflow`
 * (@tensorflow/tfjs-node-gpu / tfjs-node, when installed and loadable), else `wasm`, else `cpu`.
 * TICKETLAB_BACKEND overrides the choice. Never claims a GPU it does not use.
 */
import * as tf from '@tensorflow/tfjs';
import { coreSettings } from './settings';
import * as path from 'path';

import { runKernelHooks, type BackendName } from './kernels/hooks';

export { registerKernelHook, type BackendName } from './kernels/hooks';

export interface ComputeInfo {
  /** tfjs backend name actually active. */
  backend: BackendName;
  /** true only when the tensorflow backend runs on a CUDA device. */
  gpu: boolean;
  /** human-readable device string, e.g. "cpu (wasm simd)" or "cuda:0". */
  device: string;
  /** which kernel set runs the hot ops, e.g. "plain" or "native-blas". */
  kernels: string;
}

let info: ComputeInfo | null = null;

function tryRequire(name: string): boolean {
  try {
    require(name);
    return true;
  } catch {
    return false;
  }
}

async function activate(name: BackendName): Promise<boolean> {
  try {
    if (name === 'tensorflow') {
      if (!tryRequire('@tensorflow/tfjs-node-gpu') && !tryRequire('@tensorflow/tfjs-node')) return false;
    } else if (name === 'wasm') {
      const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
      // In Node the .wasm binaries are read from the installed package, never fetched.
      const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      wasm.setWasmPaths(dir + path.sep);
    }
    return (await tf.setBackend(name)) && tf.getBackend() === name;
  } catch {
    return false;
  }
}

function describe(name: BackendName): { gpu: boolean; device: string } {
  if (name === 'tensorflow') {
    // tfjs-node-gpu registers as "tensorflow" too; only a visible CUDA device makes it a GPU.
    let gpu: boolean;
    try {
      const binding = (tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } }).binding;
      gpu = !!binding?.isUsingGpuDevice?.();
    } catch {
      gpu = false;
    }
    return { gpu, device: gpu ? 'cuda:0' : 'cpu (libtensorflow)' };
  }
  if (name === 'wasm') return { gpu: false, device: 'cpu (wasm)' };
  return { gpu: false, device: 'cpu (javascript)' };
}

/**
 * Chooses and activates the backend once per process. `preferred` (or TICKETLAB_BACKEND)
 * names one backend; if that one cannot load, start-up fails rather than silently
 * running on another.
 */
export async function initBackend(preferred?: string): Promise<ComputeInfo> {
  if (info) return info;
  const wanted = (preferred ?? coreSettings().backend).trim();
  let chosen: BackendName | null = null;
  if (wanted) {
    if (wanted !== 'tensorflow' && wanted !== 'wasm' && wanted !== 'cpu') {
      throw new Error(`TICKETLAB_BACKEND must be tensorflow, wasm or cpu, not "${wanted}"`);
    }
    if (!(await activate(wanted))) throw new Error(`tfjs backend "${wanted}" could not be loaded`);
    chosen = wanted;
  } else {
    for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
      if (await activate(name)) {
        chosen = name;
        break;
      }
    }
  }
  if (!chosen) throw new Error('no tfjs backend could be loaded');
  info = { backend: chosen, ...describe(chosen), kernels: runKernelHooks(chosen) };
  return info;
}

/** The active backend's description; initBackend must have run. */
export function computeInfo(): ComputeInfo {
  if (!info) throw new Error('compute backend not initialised');
  return info;
}
import './kernels/install';
