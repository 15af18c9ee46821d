import { registerEnumType } from 'type-graphql';

export enum PruningMethod {
  IMP = 'IMP',
  ONE_SHOT = 'ONE_SHOT',
  RANDOM = 'RANDOM',
}

registerEnumType(PruningMethod, {
  name: 'PruningMethod',
  description: 'How a ticket\'s mask was obtained.',
  valuesConfig: {
    IMP: { description: 'Iterative magnitude pruning with rewinding (one ticket per level).' },
    ONE_SHOT: { description: 'One-shot global magnitude pruning to the target sparsity.' },
    RANDOM: { description: 'Random pruning to the same sparsity (baseline).' },
  },
});
