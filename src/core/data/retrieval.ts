/**
 * RETRIEVAL: caption i describes scene i by 2–3 of its objects. Captions are written after the
 * whole split's scenes exist, and lengthened until no other scene of the split also fits them
 * (as far as CAPTION_TRIES allows), so the gallery has one right answer per query.
 */
import type { Rng } from '../rng';
import type { GenerateOptions, RetrievalExample, TaskDataSource } from './types';
import { checkOptions, examplesOf, generateSplits, sampleScene, toInput, type SceneKnobs } from './common';
import type { SceneObject } from './world';
import { indefinite, matchesAttrs, nounPhrase, pickAttrs, type Attrs } from './refer';
import { randomTypes } from './facts';
import { encodeWords } from './vocab';

/** Difficulty knobs of RETRIEVAL. */
export const RETRIEVAL_KNOBS = {
  scene: { minObjects: 3, featureNoise: 0.6, shareProb: 0.3 } as SceneKnobs,
  /** objects mentioned per caption (salient = the largest boxes first). */
  minMentions: 2,
  maxMentions: 3,
  /** attribute types per mention before lengthening. */
  minAttrs: 2,
  maxAttrs: 3,
  /** attempts at a caption that only its own scene fits. */
  captionTries: 6,
};

const TASK_SALT = 0x1006;
/** "a large red metal cube and a small blue rubber sphere and a ..." */
const MIN_TEXT = 16;

/** Does the scene contain distinct objects matching every mention? (backtracking, ≤ 3 mentions) */
export function sceneFits(objects: readonly SceneObject[], mentions: readonly Attrs[], used: boolean[] = []): boolean {
  if (mentions.length === 0) return true;
  const [m, ...rest] = mentions;
  for (let i = 0; i < objects.length; i++) {
    if (used[i] || !matchesAttrs(objects[i], m)) continue;
    used[i] = true;
    const ok = sceneFits(objects, rest, used);
    used[i] = false;
    if (ok) return true;
  }
  return false;
}

function captionWords(mentions: readonly Attrs[]): string[] {
  const words: string[] = [];
  mentions.forEach((m, k) => words.push(...(k ? ['and'] : []), ...indefinite(nounPhrase(m))));
  return words;
}

function mentionsFor(rng: Rng, objects: SceneObject[], extra: number): Attrs[] {
  const k = Math.min(
    objects.length,
    RETRIEVAL_KNOBS.minMentions + rng.int(RETRIEVAL_KNOBS.maxMentions - RETRIEVAL_KNOBS.minMentions + 1),
  );
  // salience: bigger boxes are mentioned first, ties broken at random
  const order = rng
    .shuffle(objects.map((_, i) => i))
    .sort((a, b) => objects[b].size - objects[a].size)
    .slice(0, k);
  const nAttrs = Math.min(4, RETRIEVAL_KNOBS.minAttrs + extra);
  return order.map((i) =>
    pickAttrs(objects[i], randomTypes(rng, nAttrs, Math.min(4, RETRIEVAL_KNOBS.maxAttrs + extra))),
  );
}

export interface RetrievalDetailed {
  example: RetrievalExample;
  objects: SceneObject[];
  mentions: Attrs[];
  unique: boolean;
}

function makeSplit(rng: Rng, n: number, opts: GenerateOptions): RetrievalDetailed[] {
  const scenes = Array.from({ length: n }, () => sampleScene(rng, RETRIEVAL_KNOBS.scene, opts.maxRegions));
  return scenes.map((objects, i) => {
    let best: Attrs[] | null = null;
    let unique = false;
    for (let t = 0; t < RETRIEVAL_KNOBS.captionTries && !unique; t++) {
      const mentions = mentionsFor(rng, objects, Math.floor(t / 2));
      if (captionWords(mentions).length > opts.maxTextLength) continue;
      best = mentions;
      unique = !scenes.some((other, j) => j !== i && sceneFits(other, mentions));
    }
    if (!best) best = [pickAttrs(objects[0], ['colour', 'shape'])];
    const example = {
      scene: toInput(objects, opts, RETRIEVAL_KNOBS.scene, rng),
      caption: encodeWords(captionWords(best)),
    };
    return { example, objects, mentions: best, unique };
  });
}

export function generateRetrievalDetailed(opts: GenerateOptions) {
  checkOptions(opts, MIN_TEXT, 2);
  return generateSplits(opts, TASK_SALT, (rng, n) => makeSplit(rng, n, opts));
}

export const retrievalSource: TaskDataSource<'RETRIEVAL'> = {
  kind: 'RETRIEVAL',
  numAnswers: 0,
  defaultSizes: { train: 1500, val: 200, test: 200 },
  generate: (opts) => examplesOf(generateRetrievalDetailed(opts)),
};
