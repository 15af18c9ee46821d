/** SyntheticVL: one data source per task kind (DESIGN §4), plus the shared world and vocabulary. */
import type { TaskDataSource, TaskKind } from './types';
import { vqaSource } from './vqa';
import { gqaSource } from './gqa';
import { vcrSource } from './vcr';
import { snliVeSource } from './snli-ve';
import { refcocoSource } from './refcoco';
import { retrievalSource } from './retrieval';
import { nlvr2Source } from './nlvr2';
import { pretrainSource } from './pretrain';

export const dataSources: { [K in TaskKind]: TaskDataSource<K> } = {
  VQA: vqaSource,
  GQA: gqaSource,
  VCR: vcrSource,
  SNLI_VE: snliVeSource,
  REFCOCO: refcocoSource,
  RETRIEVAL: retrievalSource,
  NLVR2: nlvr2Source,
  PRETRAIN: pretrainSource,
};

export function dataSource<K extends TaskKind>(kind: K): TaskDataSource<K> {
  return dataSources[kind];
}

export * from './types';
export {
  VOCAB,
  VOCAB_TOKENS,
  VOCAB_SIZE,
  vocabulary,
  encodeWords,
  decodeTokens,
  ANSWER_WORDS,
  NUM_ANSWERS,
  answerId,
  NUMBER_WORDS,
} from './vocab';
export {
  WORLD_SEED,
  SHAPES,
  COLOURS,
  SIZES,
  MATERIALS,
  ATTR_TYPES,
  ATTR_VALUES,
  attributeEmbeddings,
  encodeScene,
  sampleObjects,
} from './world';
export type { AttrType, SceneObject } from './world';
export { ENTAILMENT, NEUTRAL, CONTRADICTION } from './snli-ve';
export { labelStats, chanceLevel } from './stats';
export type { LabelStats } from './stats';
