/**
 * Kernel hooks: an optional faster kernel set (e.g. the native BLAS addon) attaches itself after
 * the backend is chosen. A hook returns the name of the kernel set it installed, or null. Kept
 * apart from backend.ts so the kernel files register without importing the backend module.
 */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

const kernelHooks: Array<(backend: BackendName) => string | null> = [];

export function registerKernelHook(hook: (backend: BackendName) => string | null): void {
  kernelHooks.push(hook);
}

/** Runs every hook; the last kernel-set name given wins (default "plain"). */
export function runKernelHooks(backend: BackendName): string {
  let kernels = 'plain';
  for (const hook of kernelHooks) kernels = hook(backend) ?? kernels;
  return kernels;
}
