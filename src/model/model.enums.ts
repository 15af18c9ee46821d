import { registerEnumType } from 'type-graphql';

export enum ModelSource {
  BUILTIN = 'BUILTIN',
  PRETRAINED_BY_RUN = 'PRETRAINED_BY_RUN',
  IMPORTED = 'IMPORTED',
}

registerEnumType(ModelSource, {
  name: 'ModelSource',
  description: "Where a model's pre-trained weights θ0 come from.",
  valuesConfig: {
    BUILTIN: { description: 'Shipped with the server (pre-trained on the built-in SyntheticVL benchmark).' },
    PRETRAINED_BY_RUN: { description: 'Produced by a PRETRAIN run of this server.' },
    IMPORTED: { description: 'Imported from a safetensors file with UNITER parameter names.' },
  },
});
