/**
 * NLVR2: two scenes and a statement about them; true or false, exactly balanced.
 * Every statement compares what the two scenes contain, so it needs both scenes grounded
 * (the paired head sees one [CLS] per scene).
 */
import type { Rng } from '../rng';
import type { GenerateOptions, Nlvr2Example, TaskDataSource } from './types';
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
import type { SceneObject } from './world';
import { countMatching, indefinite, nounPhrase, type Attrs } from './refer';
import { presentDesc } from './facts';
import { NUMBER_WORDS, encodeWords } from './vocab';

/** Difficulty knobs of NLVR2. */
export const NLVR2_KNOBS = {
  scene: { minObjects: 2, featureNoise: 0.6, shareProb: 0.4 } as SceneKnobs,
  /**
   * Measured (split-pre-trained mini-uniter vs random init, default budget): with one form at a
   * time (one seed), "both" gave 0.86 pre-trained vs 0.70 random init, "only"
   * 0.62 vs 0.58, "exactly" 0.59 vs 0.58, "total" 0.65 vs 0.62, "more" 0.49 vs 0.49. The earlier
   * mix (0.25/0.25/0.2/0.15/0.15, 1–2 attributes) gave 0.526 vs 0.488 (3 seeds): the counting forms stay at
   * chance for both inits at this budget, so they are kept, but rare. This mix with 2–3 attributes
   * per description (binding words to regions is what pre-training teaches): 0.729 vs 0.548 (3 seeds).
   */
  statements: { both: 0.55, only: 0.2, more: 0.05, exactly: 0.05, total: 0.15 },
  /** attribute types per description (2–3: a described object must be found by its bindings). */
  minAttrs: 2,
  maxAttrs: 3,
};

const TASK_SALT = 0x1007;
const MIN_TEXT = 12;

type Pair = [SceneObject[], SceneObject[]];
interface Statement {
  words: string[];
  truth: boolean;
}

const SIDES = ['left', 'right'] as const;

function desc(rng: Rng, pair: Pair): Attrs {
  return presentDesc(rng, pair[rng.int(2)], NLVR2_KNOBS.minAttrs, NLVR2_KNOBS.maxAttrs);
}

function counted(n: number, attrs: Attrs): string[] {
  return n === 1 ? ['one', ...nounPhrase(attrs)] : [NUMBER_WORDS[n], ...nounPhrase(attrs, true)];
}

const MAKERS: Record<keyof typeof NLVR2_KNOBS.statements, (rng: Rng, pair: Pair) => Statement | null> = {
  /** "both images contain a red cube" */
  both(rng, pair) {
    const a = desc(rng, pair);
    return {
      words: ['both', 'images', 'contain', ...indefinite(nounPhrase(a))],
      truth: pair.every((s) => countMatching(s, a) > 0),
    };
  },
  /** "only the left image contains a metal sphere" */
  only(rng, pair) {
    const a = desc(rng, pair);
    const k = rng.int(2);
    const truth = countMatching(pair[k], a) > 0 && countMatching(pair[1 - k], a) === 0;
    return { words: ['only', 'the', SIDES[k], 'image', 'contains', ...indefinite(nounPhrase(a))], truth };
  },
  /** "the left image contains more spheres than the right image" */
  more(rng, pair) {
    const a = desc(rng, pair);
    const k = rng.int(2);
    const [n, m] = [countMatching(pair[k], a), countMatching(pair[1 - k], a)];
    const fewer = rng.next() < 0.5;
    const truth = fewer ? n < m : n > m;
    return {
      words: [
        'the',
        SIDES[k],
        'image',
        'contains',
        fewer ? 'fewer' : 'more',
        ...nounPhrase(a, true),
        'than',
        'the',
        SIDES[1 - k],
        'image',
      ],
      truth,
    };
  },
  /** "the right image contains exactly two cubes" */
  exactly(rng, pair) {
    const a = desc(rng, pair);
    const k = rng.int(2);
    const n = countMatching(pair[k], a);
    const said = rng.next() < 0.5 ? n : Math.max(0, n + rng.pick([-1, 1]));
    if (said >= NUMBER_WORDS.length) return null;
    return { words: ['the', SIDES[k], 'image', 'contains', 'exactly', ...counted(said, a)], truth: said === n };
  },
  /** "there are three red things in total" */
  total(rng, pair) {
    const a = desc(rng, pair);
    const n = countMatching(pair[0], a) + countMatching(pair[1], a);
    const said = rng.next() < 0.5 ? n : Math.max(0, n + rng.pick([-1, 1]));
    if (said >= NUMBER_WORDS.length) return null;
    return {
      words: [...(said === 1 ? ['there', 'is'] : ['there', 'are']), ...counted(said, a), 'in', 'total'],
      truth: said === n,
    };
  },
};

export interface Nlvr2Detailed {
  example: Nlvr2Example;
  scenes: Pair;
}

export function generateNlvr2Detailed(opts: GenerateOptions) {
  checkOptions(opts, MIN_TEXT, 2);
  return generateSplits(opts, TASK_SALT, (rng, n) => {
    const labels = rng.shuffle(Array.from({ length: n }, (_, i) => i % 2));
    let k = 0;
    return repeat<Nlvr2Detailed>(
      rng,
      n,
      (r) => {
        const label = labels[k];
        // the statement form is drawn before the label is met, so no form predicts the label
        const form = MAKERS[weighted(r, NLVR2_KNOBS.statements)];
        for (let t = 0; t < 30; t++) {
          const pair: Pair = [
            sampleScene(r, NLVR2_KNOBS.scene, opts.maxRegions),
            sampleScene(r, NLVR2_KNOBS.scene, opts.maxRegions),
          ];
          const s = form(r, pair);
          if (!s || s.truth !== (label === 1) || s.words.length > opts.maxTextLength) continue;
          k++;
          const scenes: Nlvr2Example['scenes'] = [
            toInput(pair[0], opts, NLVR2_KNOBS.scene, r),
            toInput(pair[1], opts, NLVR2_KNOBS.scene, r),
          ];
          return { example: { scenes, statement: encodeWords(s.words), label }, scenes: pair };
        }
        return null;
      },
      'an NLVR2 statement',
    );
  });
}

export const nlvr2Source: TaskDataSource<'NLVR2'> = {
  kind: 'NLVR2',
  numAnswers: 2,
  defaultSizes: { train: 1500, val: 300, test: 300 },
  generate: (opts) => examplesOf(generateNlvr2Detailed(opts)),
};
