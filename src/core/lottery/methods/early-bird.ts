/** EARLY_BIRD: masks drawn while the dense model trains, taken once they stop changing (core/lottery/early-bird.ts). */
import type { SearchMethod } from './types';

export const earlyBirdSearchMethod: SearchMethod = {
  name: 'EARLY_BIRD',
  description:
    'Early-Bird tickets (You et al., ICLR 2020): global magnitude masks of the training dense model drawn every `interval` steps, taken when the largest mask distance over the last `window` draws is below `tolerance`; each applied to θ0 and fine-tuned.',
  shape: 'early-bird',
  rewinds: false,
};
