import { Field, Float, InputType, Int } from 'type-graphql';
import { TaskKind } from '../task/task.kind';

@InputType({ description: "Config fields of an imported checkpoint; each one given here overrides the config file's." })
export class ImportModelConfigInput {
  @Field(() => Int, { nullable: true, description: 'Transformer layers (UNITER-base 12, large 24).' })
  layers?: number | null;

  @Field(() => Int, { nullable: true, description: 'Hidden size (divisible by heads).' })
  hidden?: number | null;

  @Field(() => Int, { nullable: true, description: 'Attention heads per layer.' })
  heads?: number | null;

  @Field(() => Int, { nullable: true, description: 'Feed-forward intermediate size.' })
  intermediate?: number | null;

  @Field(() => Int, { nullable: true, description: 'Rows of uniter.embeddings.word_embeddings.weight.' })
  vocabSize?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Region feature dimension (columns of uniter.img_embeddings.img_linear.weight; 2048 in UNITER).',
  })
  regionFeatureDim?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Longest text in tokens; the position table has maxTextLength + 2 rows.',
  })
  maxTextLength?: number | null;

  @Field(() => Int, { nullable: true, description: 'Most image regions per example (default 100, as UNITER).' })
  maxRegions?: number | null;

  @Field(() => Float, { nullable: true, description: 'Dropout probability in training, in [0, 1) (default 0.1).' })
  dropout?: number | null;
}

@InputType({ description: 'A UNITER-style checkpoint to import (admin).' })
export class ImportModelInput {
  @Field({ description: 'Unique name of the new model.' })
  name!: string;

  @Field({
    description:
      'The safetensors checkpoint, relative to $TICKETLAB_HOME/imports on the server (no "..", no symlinks out).',
  })
  path!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "Its config JSON (our field names, or UNITER's: num_hidden_layers, hidden_size, img_dim, …), relative to $TICKETLAB_HOME/imports.",
  })
  configPath?: string | null;

  @Field(() => ImportModelConfigInput, {
    nullable: true,
    description: "Config fields given inline; they override configPath's.",
  })
  config?: ImportModelConfigInput | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Skip tensors that are not encoder parameters (task or pre-training heads of a UNITER checkpoint) instead of refusing the file. Default false.',
  })
  ignoreUnknownWeights?: boolean | null;
}

@InputType({
  description: 'A dataset directory to import as a task (admin); its format is described in the README (Imports).',
})
export class ImportTaskInput {
  @Field({ description: 'Unique name of the new task.' })
  name!: string;

  @Field(() => TaskKind, {
    description: 'Which task kind the rows are examples of; decides the fields each row needs.',
  })
  kind!: TaskKind;

  @Field({
    description:
      'The dataset directory (dataset.json, train/val/test.jsonl, region files), relative to $TICKETLAB_HOME/imports.',
  })
  path!: string;
}
