/**
 * The one place core reads the environment (DESIGN §5). Core runs in the API process, in worker
 * threads and in child processes; each inherits the environment, so the compute knobs are read
 * here, where they are set, instead of being threaded through every compute message.
 */
export interface CoreSettings {
  /** TICKETLAB_BACKEND: the tfjs backend wanted ('' = best available) */
  backend: string;
  /** TICKETLAB_BLAS_THREADS: a positive integer fixes the BLAS thread count; null = measured choice */
  blasThreads: number | null;
  /** TICKETLAB_BLAS_SMALL_MNK: m·n·k below which a matmul runs on one thread; null = default */
  blasSmallMnk: number | null;
  /** TICKETLAB_NATIVE=0 disables the native kernels */
  nativeDisabled: boolean;
}

export function coreSettings(env: NodeJS.ProcessEnv = process.env): CoreSettings {
  const threads = Number.parseInt(env.TICKETLAB_BLAS_THREADS ?? '', 10);
  const small = Number(env.TICKETLAB_BLAS_SMALL_MNK ?? '');
  return {
    backend: (env.TICKETLAB_BACKEND ?? '').trim(),
    blasThreads: Number.isFinite(threads) && threads > 0 ? threads : null,
    blasSmallMnk: env.TICKETLAB_BLAS_SMALL_MNK !== undefined && Number.isFinite(small) && small >= 0 ? small : null,
    nativeDisabled: env.TICKETLAB_NATIVE === '0',
  };
}
