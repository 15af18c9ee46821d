import type { Rng } from '../../rng';
import type { Segment, SegmentSpec } from '../layout';
import type { Mask } from '../mask';

/** Arguments of one "next mask" step; which fields a method needs is listed on the method. */
export interface NextMaskArgs {
  method: string;
  /** layout of the prunable weights; may be omitted when `current` is given. */
  layout?: readonly (Segment | SegmentSpec)[];
  /** prunable weights in layout order (magnitude methods). */
  weights?: readonly Float32Array[];
  /** the mask so far (nested methods keep its pruned weights pruned). */
  current?: Mask;
  /** sparsity of the ORIGINAL prunable count, in [0, 1). */
  targetSparsity: number;
  /** randomness (RANDOM). */
  rng?: Rng;
  /** RANDOM only: every tensor to the same sparsity. */
  layerwise?: boolean;
}

export interface NextMaskResult {
  mask: Mask;
  /** total pruned in the result. */
  k: number;
  newlyPruned: number;
}

export interface PruningMethod {
  name: string;
  description: string;
  needsWeights: boolean;
  needsRng: boolean;
  nextMask(args: NextMaskArgs): NextMaskResult;
}
