import { registerEnumType } from 'type-graphql';

export enum WeightInit {
  PRETRAINED = 'PRETRAINED',
  SHUFFLED = 'SHUFFLED',
  RANDOM = 'RANDOM',
}

export enum TrainingMode {
  STANDARD = 'STANDARD',
  ADVERSARIAL = 'ADVERSARIAL',
}

registerEnumType(WeightInit, {
  name: 'WeightInit',
  description: 'Initial values of the surviving weights when a mask (or the dense model) is fine-tuned.',
  valuesConfig: {
    PRETRAINED: { description: 'The pre-trained weights θ0 (or θ_r after rewinding).' },
    SHUFFLED: { description: 'θ0 permuted within each layer (keeps the weight distribution, loses structure).' },
    RANDOM: { description: 'A fresh random initialisation.' },
  },
});

registerEnumType(TrainingMode, {
  name: 'TrainingMode',
  description: 'How fine-tuning is done.',
  valuesConfig: {
    STANDARD: { description: 'Plain cross-entropy fine-tuning.' },
    ADVERSARIAL: { description: 'VILLA / FreeLB-style adversarial training on embeddings and region features.' },
  },
});
