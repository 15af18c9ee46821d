import { registerEnumType } from 'type-graphql';
import type { TaskKind as CoreTaskKind } from '../core/data/types';

/** The task kinds of DESIGN §2/§4 (the same names as src/core's TaskKind). */
export enum TaskKind {
  VQA = 'VQA',
  GQA = 'GQA',
  VCR = 'VCR',
  SNLI_VE = 'SNLI_VE',
  REFCOCO = 'REFCOCO',
  RETRIEVAL = 'RETRIEVAL',
  NLVR2 = 'NLVR2',
  PRETRAIN = 'PRETRAIN',
}

// Compile-time guard: this enum and the compute core's TaskKind must name the same kinds.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const kindsMatch: Same<`${TaskKind}`, CoreTaskKind> = true;
void kindsMatch;

registerEnumType(TaskKind, {
  name: 'TaskKind',
  description: 'Kind of task: the downstream V+L tasks of the paper, plus PRETRAIN (MLM + ITM + MRM).',
  valuesConfig: {
    VQA: { description: 'Visual question answering (VQA score over 10 annotator answers).' },
    GQA: { description: 'Compositional / relational visual question answering (accuracy).' },
    VCR: { description: 'Visual commonsense reasoning: answer and rationale choice (Q→AR accuracy).' },
    SNLI_VE: { description: 'Visual entailment: entailment / neutral / contradiction (accuracy).' },
    REFCOCO: { description: 'Referring expression comprehension: pick the referred region (accuracy).' },
    RETRIEVAL: { description: 'Image-text retrieval (IR R@1 first; also IR/TR R@5, R@10).' },
    NLVR2: { description: 'Natural language visual reasoning over two images: true / false (accuracy).' },
    PRETRAIN: { description: 'The pre-training objective (MLM + ITM + MRM); metric is the weighted loss.' },
  },
});
