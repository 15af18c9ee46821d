/** Every invalid request to the pruning code (bad sparsity, layout mismatch, NaN weights, …). */
export class PruningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PruningError';
  }
}
