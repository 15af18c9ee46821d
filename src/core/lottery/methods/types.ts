/**
 * A ticket search method (the API's PruningMethod): how a PRUNE run finds its tickets. The run
 * handler, the compute thread, the request validation and the GraphQL enum all follow from the
 * registered descriptors, so a method is one file here plus one line in registry.ts.
 */
import type { ModelConfig } from '../../model/config';
import type { Mask } from '../../pruning';

/**
 * `levels`: one run finds nested tickets level by level (IMP's loop: train, prune the trained
 * weights to the next sparsity, rewind), resumable per level;
 * `independent`: one ticket per requested sparsity, each drawn from the dense model and trained alone;
 * `early-bird`: one search (a dense fine-tune stopped when its masks stop changing) gives the masks
 * of every requested sparsity, each then trained alone.
 */
export type SearchShape = 'levels' | 'independent' | 'early-bird';

export interface MaskRequest {
  config: ModelConfig;
  /** the weights that rank the magnitudes (θ0, or fine-tuned weights) */
  weights: ReadonlyMap<string, Float32Array>;
  sparsity: number;
  seed: number;
  /** per-tensor sparsity instead of global, for methods that offer it */
  layerwise?: boolean;
}

export interface SearchMethod {
  /** the PruningMethod enum value stored on tickets */
  readonly name: string;
  /** the enum value's description in the schema */
  readonly description: string;
  readonly shape: SearchShape;
  /** independent: whether the mask depends on the weights' magnitudes (else no weights are prepared) */
  readonly ranksWeights?: boolean;
  /** whether `rewindStep > 0` applies (levels rewind to θ_r) */
  readonly rewinds: boolean;
  /** levels: the core/pruning next-mask rule the level loop prunes with */
  readonly nextMaskRule?: string;
  /** independent: the mask at one sparsity (exact counts checked by the caller) */
  mask?(r: MaskRequest): Mask;
}
