/** Tiny hand-made examples and config for the task tests (no generator dependency). */
import type { ModelConfig } from '../../../src/core/model/config';
import type { ExampleByKind, SceneInput, TaskKind } from '../../../src/core/data/types';
import { Rng } from '../../../src/core/rng';

export const TINY: ModelConfig = {
  layers: 1,
  hidden: 16,
  heads: 2,
  intermediate: 32,
  vocabSize: 30,
  regionFeatureDim: 8,
  maxTextLength: 8,
  maxRegions: 4,
  dropout: 0.1,
};

export const NUM_ANSWERS = 4;

export function scene(rng: Rng, count = 2 + rng.int(3)): SceneInput {
  const features = Float32Array.from({ length: count * TINY.regionFeatureDim }, () => rng.normal());
  const boxes = new Float32Array(count * 7);
  for (let r = 0; r < count; r++) {
    const x1 = rng.next() * 0.5;
    const y1 = rng.next() * 0.5;
    const w = 0.1 + rng.next() * 0.4;
    const h = 0.1 + rng.next() * 0.4;
    boxes.set([x1, y1, x1 + w, y1 + h, w, h, w * h], r * 7);
  }
  return { features, boxes, count };
}

const words = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => 5 + rng.int(TINY.vocabSize - 5));

/** The strongest of the first `n` feature dims of region `r`: a label the encoder can read off. */
function strongest(s: SceneInput, r: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++)
    if (s.features[r * TINY.regionFeatureDim + k] > s.features[r * TINY.regionFeatureDim + best]) best = k;
  return best;
}

/** The region with the largest first feature: a target the region head can learn. */
function brightest(s: SceneInput): number {
  let best = 0;
  for (let r = 1; r < s.count; r++)
    if (s.features[r * TINY.regionFeatureDim] > s.features[best * TINY.regionFeatureDim]) best = r;
  return best;
}

export function makeExamples<K extends TaskKind>(kind: K, n: number, seed: number): ExampleByKind[K][] {
  const rng = new Rng(seed);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const s = scene(rng);
    const q = [5 + rng.int(3), ...words(rng, 2 + rng.int(3))];
    const label = strongest(s, 0, NUM_ANSWERS);
    switch (kind) {
      case 'VQA':
        out.push({
          scene: s,
          question: q,
          annotatorAnswers: Array.from({ length: 10 }, (_, k) => (k < 7 ? label : rng.int(NUM_ANSWERS))),
        });
        break;
      case 'GQA':
        out.push({ scene: s, question: q, answer: label });
        break;
      case 'SNLI_VE':
        out.push({ scene: s, hypothesis: q, label: label % 3 });
        break;
      case 'REFCOCO':
        out.push({ scene: s, expression: q, target: brightest(s) });
        break;
      case 'VCR':
        out.push({
          scene: s,
          question: q,
          answers: [0, 1, 2, 3].map(() => words(rng, 3)),
          answerLabel: rng.int(4),
          rationales: [0, 1, 2, 3].map(() => words(rng, 4)),
          rationaleLabel: rng.int(4),
        });
        break;
      case 'RETRIEVAL':
      case 'PRETRAIN':
        out.push({ scene: s, caption: words(rng, 3 + rng.int(5)) });
        break;
      case 'NLVR2':
        out.push({ scenes: [s, scene(rng)], statement: q, label: label % 2 });
        break;
    }
  }
  return out as ExampleByKind[K][];
}
