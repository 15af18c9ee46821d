/**
 * PRETRAIN: aligned scene–caption pairs, a corpus much larger than any task's training set.
 * Captions describe objects, attributes, counts and relations with the words the tasks use, so
 * MLM (predict a masked "red" from the regions), ITM and MRM learn the word–region grounding
 * the downstream tasks need. Masking and mismatching are done by the batch builder.
 */
import type { Rng } from '../rng';
import type { GenerateOptions, PretrainExample, TaskDataSource } from './types';
import {
  checkOptions,
  examplesOf,
  generateSplits,
  repeat,
  sampleScene,
  splitRng,
  toInput,
  weighted,
  type SceneKnobs,
} from './common';
import { ATTR_TYPES, ATTR_VALUES, sampleObjects, type SceneObject } from './world';
import {
  RELATIONS,
  countMatching,
  indefinite,
  matchesAttrs,
  nounPhrase,
  pickAttrs,
  relationHolds,
  relationWords,
  renderRef,
  resolve,
  uniqueRef,
  type Attrs,
  type Ref,
} from './refer';
import { presentDesc, randomTypes, wrongValue } from './facts';
import { NUMBER_WORDS, encodeWords } from './vocab';

/** Knobs of the pre-training corpus. */
export const PRETRAIN_KNOBS = {
  scene: { minObjects: 2, featureNoise: 0.6, shareProb: 0.4 } as SceneKnobs,
  /**
   * Clause mix. The last five use the words the task texts are built from (attribute type
   * names, "object(s)", "image", "contains", "more/fewer … than", "exactly", "in total", "same",
   * "not", "both", "each", "only", "it", "on the left"): a word that never occurs in the corpus
   * gets only the MLM softmax's push away from every prediction, so all such words collapse onto
   * one vector (mean cosine 0.62 between them after pre-training, 0.05 between corpus words) and
   * a fine-tuned model can no longer tell "what colour" from "what size".
   */
  clauses: {
    object: 0.25,
    relation: 0.15,
    count: 0.1,
    attribute: 0.1,
    typed: 0.12,
    total: 0.07,
    compare: 0.07,
    same: 0.07,
    quantifier: 0.07,
  },
  /** clauses per caption (joined by "and"), as many as fit in maxTextLength. */
  minClauses: 1,
  maxClauses: 3,
  /**
   * Share of pairs whose scene has only 1–2 objects. With one object, "a [MASK] cube" is
   * answered by the only region: decoding attributes from region features into word space is
   * learnt from a first-order signal, which the binding in crowded scenes (and ITM) then builds
   * on. Without such pairs a 2-layer model sat on the loss plateau of image–text matching.
   */
  smallSceneProb: 0.5,
  /** tries per pair to build a verified-false foil caption (0: no foils). */
  foilTries: 10,
};

const TASK_SALT = 0x1008;
const FOIL_SALT = 0xf011;
const MIN_TEXT = 8;

/** A clause's words and its meaning: whether it is true of a scene (any scene, not only its own). */
interface ClauseOut {
  words: string[];
  holds: (objects: readonly SceneObject[]) => boolean;
}
type Clause = (rng: Rng, objects: SceneObject[]) => ClauseOut | null;

const some = (objects: readonly SceneObject[], attrs: Attrs): boolean => countMatching(objects, attrs) > 0;
/** The unique object matching attrs, or null (a definite description presupposes uniqueness). */
function only(objects: readonly SceneObject[], attrs: Attrs): SceneObject | null {
  const m = objects.filter((o) => matchesAttrs(o, attrs));
  return m.length === 1 ? m[0] : null;
}
function uniqueOf(objects: readonly SceneObject[], ref: Ref): SceneObject | null {
  const hit = resolve(ref, objects);
  return hit.length === 1 ? objects[hit[0]] : null;
}

const CLAUSES: Record<keyof typeof PRETRAIN_KNOBS.clauses, Clause> = {
  /** "a large red metal cube" */
  object(rng, objects) {
    const attrs = presentDesc(rng, objects, 2, 4);
    return { words: indefinite(nounPhrase(attrs)), holds: (s) => some(s, attrs) };
  },
  /** "a red cube is left of a blue sphere" */
  relation(rng, objects) {
    if (objects.length < 2) return null;
    const a = rng.int(objects.length);
    let b = rng.int(objects.length - 1);
    if (b >= a) b++;
    const rel = rng.pick(RELATIONS.filter((r) => relationHolds(r, objects[a], objects[b])));
    const da = pickAttrs(objects[a], randomTypes(rng, 1, 2));
    const db = pickAttrs(objects[b], randomTypes(rng, 1, 2));
    return {
      words: [...indefinite(nounPhrase(da)), 'is', ...relationWords(rel), ...indefinite(nounPhrase(db))],
      holds: (s) =>
        s.some((x) => matchesAttrs(x, da) && s.some((y) => y !== x && matchesAttrs(y, db) && relationHolds(rel, x, y))),
    };
  },
  /** "there are two spheres" */
  count(rng, objects) {
    const attrs = presentDesc(rng, objects, 1, 2);
    const n = countMatching(objects, attrs);
    if (n >= NUMBER_WORDS.length) return null;
    const words =
      n === 1
        ? ['there', 'is', 'one', ...nounPhrase(attrs)]
        : ['there', 'are', NUMBER_WORDS[n], ...nounPhrase(attrs, true)];
    return { words, holds: (s) => countMatching(s, attrs) === n };
  },
  /** "the cube is red" (subject unique in the scene) */
  attribute(rng, objects) {
    const o = rng.pick(objects);
    const t = rng.pick(ATTR_TYPES.filter((x) => x !== 'shape'));
    const subj = pickAttrs(
      o,
      randomTypes(
        rng,
        1,
        2,
        ATTR_TYPES.filter((x) => x !== t),
      ),
    );
    if (countMatching(objects, subj) !== 1) return null;
    const v = o[t];
    return { words: [...renderRef({ attrs: subj }), 'is', ATTR_VALUES[t][v]], holds: (s) => only(s, subj)?.[t] === v };
  },
  /** "the colour of the large cube on the left is red", "the shape of the red thing is a cube" */
  typed(rng, objects) {
    const i = rng.int(objects.length);
    const t = rng.pick(ATTR_TYPES);
    const ref = uniqueRef(rng, objects, i, {
      types: ATTR_TYPES.filter((x) => x !== t),
      attrWeight: 1,
      extremeWeight: 0.3,
      relationWeight: 0.15,
    });
    if (!ref) return null;
    const v = objects[i][t];
    const value = ATTR_VALUES[t][v];
    return {
      words: ['the', t, 'of', ...renderRef(ref), 'is', ...(t === 'shape' ? ['a', value] : [value])],
      holds: (s) => uniqueOf(s, ref)?.[t] === v,
    };
  },
  /** "there are five objects in the image", "there are two red things in total", "the image contains exactly one cube" */
  total(rng, objects) {
    const n = objects.length;
    const r = rng.next();
    if (r < 0.4) {
      const words =
        n === 1
          ? ['there', 'is', 'one', 'object', 'in', 'the', 'image']
          : ['there', 'are', NUMBER_WORDS[n], 'objects', 'in', 'the', 'image'];
      return { words, holds: (s) => s.length === n };
    }
    const attrs = presentDesc(rng, objects, 1, 2);
    const k = countMatching(objects, attrs);
    if (k >= NUMBER_WORDS.length) return null;
    const holds = (s: readonly SceneObject[]): boolean => countMatching(s, attrs) === k;
    if (r < 0.7)
      return {
        words: [
          ...(k === 1
            ? ['there', 'is', 'one', ...nounPhrase(attrs)]
            : ['there', 'are', NUMBER_WORDS[k], ...nounPhrase(attrs, true)]),
          'in',
          'total',
        ],
        holds,
      };
    return { words: ['the', 'image', 'contains', 'exactly', NUMBER_WORDS[k], ...nounPhrase(attrs, k !== 1)], holds };
  },
  /** "there are more cubes than spheres", "there are fewer red things than blue things", "the image contains at least two cubes" */
  compare(rng, objects) {
    const a = presentDesc(rng, objects, 1, 1);
    if (rng.next() < 0.3) {
      const k = countMatching(objects, a);
      if (k < 2) return null;
      const least = 2 + rng.int(k - 1); // a true lower bound in 2..k
      return {
        words: ['the', 'image', 'contains', 'at', 'least', NUMBER_WORDS[least], ...nounPhrase(a, true)],
        holds: (s) => countMatching(s, a) >= least,
      };
    }
    const t = Object.keys(a)[0] as (typeof ATTR_TYPES)[number];
    const b = { [t]: rng.int(ATTR_VALUES[t].length) };
    const ka = countMatching(objects, a);
    const kb = countMatching(objects, b);
    if (ka === kb) return null;
    const more = ka > kb;
    return {
      words: ['there', 'are', more ? 'more' : 'fewer', ...nounPhrase(a, true), 'than', ...nounPhrase(b, true)],
      holds: (s) => (more ? countMatching(s, a) > countMatching(s, b) : countMatching(s, a) < countMatching(s, b)),
    };
  },
  /** "the cube and the red sphere are the same colour", "… are not the same size" */
  same(rng, objects) {
    if (objects.length < 2) return null;
    const i = rng.int(objects.length);
    let j = rng.int(objects.length - 1);
    if (j >= i) j++;
    const t = rng.pick(ATTR_TYPES.filter((x) => x !== 'shape'));
    const style = { types: ATTR_TYPES.filter((x) => x !== t), attrWeight: 1, extremeWeight: 0.2, relationWeight: 0 };
    const ri = uniqueRef(rng, objects, i, style);
    const rj = uniqueRef(rng, objects, j, style);
    if (!ri || !rj) return null;
    const same = objects[i][t] === objects[j][t];
    return {
      words: [...renderRef(ri), 'and', ...renderRef(rj), 'are', ...(same ? [] : ['not']), 'the', 'same', t],
      holds(s) {
        const x = uniqueOf(s, ri);
        const y = uniqueOf(s, rj);
        return !!x && !!y && x !== y && (x[t] === y[t]) === same;
      },
    };
  },
  /** "both cubes are red", "each sphere is metal", "only one cube is red", "there is a cube and it is red" (never a shape value) */
  quantifier(rng, objects) {
    const subj = presentDesc(rng, objects, 1, 1);
    const st = Object.keys(subj)[0] as (typeof ATTR_TYPES)[number];
    const members = objects.filter((o) => countMatching([o], subj) === 1);
    const t = rng.pick(ATTR_TYPES.filter((x) => x !== st && x !== 'shape'));
    const o = rng.pick(members);
    const v = o[t];
    const value = ATTR_VALUES[t][v];
    const having = members.filter((m) => m[t] === v).length;
    const of = (s: readonly SceneObject[]): SceneObject[] => s.filter((x) => matchesAttrs(x, subj));
    const r = rng.next();
    if (r < 0.35 && members.length >= 2 && having === members.length) {
      const two = members.length === 2;
      return {
        words: [two ? 'both' : 'each', ...(two ? nounPhrase(subj, true) : nounPhrase(subj)), two ? 'are' : 'is', value],
        holds: (s) => {
          const m = of(s);
          return (two ? m.length === 2 : m.length >= 2) && m.every((x) => x[t] === v);
        },
      };
    }
    if (r < 0.7 && members.length >= 2 && having === 1) {
      return {
        words: ['only', 'one', ...nounPhrase(subj), 'is', value],
        holds: (s) => {
          const m = of(s);
          return m.length >= 2 && m.filter((x) => x[t] === v).length === 1;
        },
      };
    }
    if (members.length !== 1) return null;
    return {
      words: ['there', 'is', ...indefinite(nounPhrase(subj)), 'and', 'it', 'is', value],
      holds: (s) => {
        const m = of(s);
        return m.length === 1 && m[0][t] === v;
      },
    };
  },
};

interface Caption {
  words: string[];
  holds: Array<ClauseOut['holds']>;
}

function caption(rng: Rng, objects: SceneObject[], maxLen: number): Caption | null {
  const want = PRETRAIN_KNOBS.minClauses + rng.int(PRETRAIN_KNOBS.maxClauses - PRETRAIN_KNOBS.minClauses + 1);
  const words: string[] = [];
  const holds: Caption['holds'] = [];
  for (let k = 0, tries = 0; k < want && tries < 2 * want; tries++) {
    const c = CLAUSES[weighted(rng, PRETRAIN_KNOBS.clauses)](rng, objects);
    if (!c) continue;
    const next = words.length ? [...words, 'and', ...c.words] : c.words;
    if (next.length > maxLen) continue;
    words.splice(0, words.length, ...next);
    holds.push(c.holds);
    k++;
  }
  return words.length ? { words, holds } : null;
}

/** Whether every clause of a caption is true of the scene. */
export function captionHolds(d: PretrainDetailed, objects: readonly SceneObject[]): boolean {
  return d.holds.every((h) => h(objects));
}

/**
 * A foil: a caption of the same scene with one object's attribute changed (a value seen on another
 * object first), kept only if it is false of the real scene (checked clause by clause). It differs
 * from a true caption in one binding of word to region, the grounding that a random caption of
 * another scene (true of it more often than one would think) barely tests.
 */
function foilCaption(rng: Rng, objects: SceneObject[], maxLen: number): string[] | null {
  for (let k = 0; k < PRETRAIN_KNOBS.foilTries; k++) {
    const i = rng.int(objects.length);
    const t = rng.pick(ATTR_TYPES);
    const changed = objects.map((o, j) => (j === i ? { ...o, [t]: wrongValue(rng, objects, o, t) } : o));
    const c = caption(rng, changed, maxLen);
    if (c && !c.holds.every((h) => h(objects))) return c.words;
  }
  return null;
}

export interface PretrainDetailed {
  example: PretrainExample;
  objects: SceneObject[];
  holds: Caption['holds'];
}

export function generatePretrainDetailed(opts: GenerateOptions) {
  checkOptions(opts, MIN_TEXT, 2);
  const out = generateSplits(opts, TASK_SALT, (rng, n) =>
    repeat<PretrainDetailed>(
      rng,
      n,
      (r) => {
        const small = r.next() < PRETRAIN_KNOBS.smallSceneProb;
        const objects = small
          ? sampleObjects(r, { count: 1 + r.int(2), shareProb: PRETRAIN_KNOBS.scene.shareProb })
          : sampleScene(r, PRETRAIN_KNOBS.scene, opts.maxRegions);
        const c = caption(r, objects, opts.maxTextLength);
        if (!c) return null;
        return {
          example: { scene: toInput(objects, opts, PRETRAIN_KNOBS.scene, r), caption: encodeWords(c.words) },
          objects,
          holds: c.holds,
        };
      },
      'a pre-training caption',
    ),
  );
  // Foils come from their own stream, so the true pairs are the same with or without them.
  if (PRETRAIN_KNOBS.foilTries > 0) {
    for (const split of ['train', 'val', 'test'] as const) {
      const rng = splitRng(opts.seed, TASK_SALT ^ FOIL_SALT, split);
      for (const d of out[split]) {
        const f = foilCaption(rng, d.objects, opts.maxTextLength);
        if (f) d.example.foil = encodeWords(f);
      }
    }
  }
  return out;
}

export const pretrainSource: TaskDataSource<'PRETRAIN'> = {
  kind: 'PRETRAIN',
  numAnswers: 0,
  defaultSizes: { train: 30000, val: 500, test: 500 },
  generate: (opts) => examplesOf(generatePretrainDetailed(opts)),
};
