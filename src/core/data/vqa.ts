/**
 * VQA: attribute, counting and existence questions, answered by 10 simulated annotators.
 * Soft target of an answer = min(1, votes / 3), as in the VQA score.
 */
import type { Rng } from '../rng';
import type { GenerateOptions, TaskDataSource, VqaExample } from './types';
import {
  checkOptions,
  examplesOf,
  generateSplits,
  repeat,
  sampleScene,
  toInput,
  weighted,
  type SceneKnobs,
} from './common';
import { ATTR_TYPES, ATTR_VALUES, attrWord, type SceneObject } from './world';
import { countMatching, indefinite, nounPhrase, renderRef, uniqueRef, type RefStyle } from './refer';
import { absentDesc, presentDesc, wrongValue } from './facts';
import { ANSWER_WORDS, NUMBER_WORDS, NUM_ANSWERS, answerId, encodeWords } from './vocab';

/** Difficulty knobs of VQA (tuning the benchmark = editing these). */
export const VQA_KNOBS = {
  scene: { minObjects: 2, featureNoise: 0.6, shareProb: 0.4 } as SceneKnobs,
  questions: { attribute: 0.5, count: 0.2, exist: 0.3 },
  ref: { attrWeight: 1, extremeWeight: 0.15, relationWeight: 0 } as RefStyle,
  /** probability that an annotator gives the true answer. */
  annotatorAccuracy: 0.8,
  /** of the other annotators: share giving a plausible confusion (another object's value, count ± 1). */
  annotatorConfusion: 0.7,
};

const TASK_SALT = 0x1001;
/** Longest question: "what material is the small red cone on the left" = 10 words. */
const MIN_TEXT = 10;

interface Question {
  words: string[];
  answer: string;
  /** a plausible wrong answer of the same type (what a careless annotator says). */
  confusion: () => string;
  /** all answers of the same type (what a random annotator picks from). */
  sameType: readonly string[];
}

function attributeQuestion(rng: Rng, objects: SceneObject[]): Question | null {
  const i = rng.int(objects.length);
  const o = objects[i];
  const t = rng.pick(ATTR_TYPES);
  const ref = uniqueRef(rng, objects, i, { ...VQA_KNOBS.ref, types: ATTR_TYPES.filter((x) => x !== t) });
  if (!ref) return null;
  return {
    words: ['what', t, 'is', ...renderRef(ref)],
    answer: attrWord(o, t),
    confusion: () => ATTR_VALUES[t][wrongValue(rng, objects, o, t)],
    sameType: ATTR_VALUES[t],
  };
}

function countQuestion(rng: Rng, objects: SceneObject[]): Question | null {
  const attrs =
    rng.next() < 0.8
      ? presentDesc(rng, objects, 1, 2)
      : (absentDesc(rng, objects, 1, 1) ?? presentDesc(rng, objects, 1, 1));
  const n = countMatching(objects, attrs);
  if (n >= NUMBER_WORDS.length) return null;
  return {
    words: ['how', 'many', ...nounPhrase(attrs, true), 'are', 'there'],
    answer: NUMBER_WORDS[n],
    confusion: () => NUMBER_WORDS[n === 0 ? 1 : n + (rng.next() < 0.5 ? -1 : 1)] ?? NUMBER_WORDS[n - 1],
    sameType: NUMBER_WORDS,
  };
}

function existQuestion(rng: Rng, objects: SceneObject[]): Question | null {
  const yes = rng.next() < 0.5;
  const attrs = yes ? presentDesc(rng, objects, 1, 3) : absentDesc(rng, objects, 2, 3);
  if (!attrs) return null;
  return {
    words: ['is', 'there', ...indefinite(nounPhrase(attrs))],
    answer: yes ? 'yes' : 'no',
    confusion: () => (yes ? 'no' : 'yes'),
    sameType: ['yes', 'no'],
  };
}

const MAKERS: Record<keyof typeof VQA_KNOBS.questions, (rng: Rng, o: SceneObject[]) => Question | null> = {
  attribute: attributeQuestion,
  count: countQuestion,
  exist: existQuestion,
};

function annotate(rng: Rng, q: Question): number[] {
  const out: number[] = [];
  for (let k = 0; k < 10; k++) {
    const u = rng.next();
    let w = q.answer;
    if (u >= VQA_KNOBS.annotatorAccuracy) {
      w = rng.next() < VQA_KNOBS.annotatorConfusion ? q.confusion() : rng.pick(q.sameType);
    }
    out.push(answerId(w));
  }
  return out;
}

export interface VqaDetailed {
  example: VqaExample;
  objects: SceneObject[];
  answer: number;
}

export function generateVqaDetailed(opts: GenerateOptions) {
  checkOptions(opts, MIN_TEXT);
  return generateSplits(opts, TASK_SALT, (rng, n) =>
    repeat<VqaDetailed>(
      rng,
      n,
      (r) => {
        const objects = sampleScene(r, VQA_KNOBS.scene, opts.maxRegions);
        const q = MAKERS[weighted(r, VQA_KNOBS.questions)](r, objects);
        if (!q || q.words.length > opts.maxTextLength) return null;
        const example: VqaExample = {
          scene: toInput(objects, opts, VQA_KNOBS.scene, r),
          question: encodeWords(q.words),
          annotatorAnswers: annotate(r, q),
        };
        return { example, objects, answer: answerId(q.answer) };
      },
      'a VQA question',
    ),
  );
}

export const vqaSource: TaskDataSource<'VQA'> = {
  kind: 'VQA',
  numAnswers: NUM_ANSWERS,
  defaultSizes: { train: 1500, val: 300, test: 300 },
  generate(opts) {
    return examplesOf(generateVqaDetailed(opts));
  },
};

export { ANSWER_WORDS as VQA_ANSWER_WORDS };
