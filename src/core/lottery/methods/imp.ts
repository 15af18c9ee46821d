/** IMP: iterative magnitude pruning with rewinding (the paper's Algorithm 1), one ticket per level. */
import type { SearchMethod } from './types';

export const impSearch: SearchMethod = {
  name: 'IMP',
  description: 'Iterative magnitude pruning with rewinding (one ticket per level).',
  shape: 'levels',
  rewinds: true,
  nextMaskRule: 'IMP',
};
