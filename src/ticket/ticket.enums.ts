import { registerEnumType } from 'type-graphql';
import { SEARCH_METHODS } from '../core/lottery/methods/registry';

/**
 * The ticket search methods, as registered in core (src/core/lottery/methods): a new method
 * appears here, with its description, without a line of this file changing.
 */
export const PruningMethod: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(SEARCH_METHODS.map((m) => [m.name, m.name])),
);
export type PruningMethod = string;

registerEnumType(PruningMethod, {
  name: 'PruningMethod',
  description: "How a ticket's mask was obtained.",
  valuesConfig: Object.fromEntries(SEARCH_METHODS.map((m) => [m.name, { description: m.description }])),
});

/** How IMP's levels retrain after each pruning step (core/lottery/imp.ts RETRAIN_RULES). */
export enum RetrainingRule {
  REWIND_WEIGHTS = 'REWIND_WEIGHTS',
  REWIND_LR = 'REWIND_LR',
  FINE_TUNE = 'FINE_TUNE',
}

registerEnumType(RetrainingRule, {
  name: 'RetrainingRule',
  description: 'How IMP retrains the surviving weights after each pruning step (Renda et al., ICLR 2020).',
  valuesConfig: {
    REWIND_WEIGHTS: {
      description: 'The paper’s rule: rewind the survivors to θ0 (or θ_r with rewindStep) and train the full schedule.',
    },
    REWIND_LR: {
      description: 'Learning-rate rewinding: keep the trained survivors and replay the full learning-rate schedule.',
    },
    FINE_TUNE: {
      description: 'Keep the trained survivors and train at a small constant rate (0.1 × the peak, no warm-up).',
    },
  },
});
