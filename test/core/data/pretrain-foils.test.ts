/**
 * PRETRAIN clause meanings and foils: every caption is true of its own scene, every foil is false
 * of it (checked against the clause meanings), and foils come from their own stream, so the true
 * pairs do not depend on them.
 */
import { captionHolds, generatePretrainDetailed, PRETRAIN_KNOBS } from '../../../src/core/data/pretrain';
import { decodeTokens } from '../../../src/core/data/vocab';
import type { GenerateOptions } from '../../../src/core/data/types';

const OPTS: GenerateOptions = {
  seed: 5,
  sizes: { train: 600, val: 50, test: 0 },
  regionFeatureDim: 16,
  maxRegions: 8,
  maxTextLength: 24,
};

test('captions are true of their scene; foils exist for most pairs and are never their own caption', () => {
  const d = generatePretrainDetailed(OPTS);
  let foils = 0;
  for (const x of d.train) {
    expect(captionHolds(x, x.objects)).toBe(true);
    if (x.example.foil) {
      foils++;
      expect(decodeTokens([...x.example.foil])).not.toBe(decodeTokens([...x.example.caption]));
    }
  }
  expect(foils / d.train.length).toBeGreaterThan(0.8);
});

test('clause meanings separate scenes: a caption is false of most other scenes', () => {
  const d = generatePretrainDetailed(OPTS);
  let trueOfOther = 0;
  for (let i = 0; i < d.train.length; i++)
    if (captionHolds(d.train[i], d.train[(i + 1) % d.train.length].objects)) trueOfOther++;
  expect(trueOfOther / d.train.length).toBeLessThan(0.15);
  expect(trueOfOther).toBeGreaterThan(0); // short captions ("a red cube") do fit other scenes now and then
});

test('foils do not change the true pairs', () => {
  const tries = PRETRAIN_KNOBS.foilTries;
  try {
    const withFoils = generatePretrainDetailed(OPTS);
    PRETRAIN_KNOBS.foilTries = 0;
    const without = generatePretrainDetailed(OPTS);
    expect(without.train.every((x) => x.example.foil === undefined)).toBe(true);
    without.train.forEach((x, i) => {
      expect([...x.example.caption]).toEqual([...withFoils.train[i].example.caption]);
      expect([...x.example.scene.features]).toEqual([...withFoils.train[i].example.scene.features]);
    });
  } finally {
    PRETRAIN_KNOBS.foilTries = tries;
  }
});
