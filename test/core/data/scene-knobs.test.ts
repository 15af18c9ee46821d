import { Rng } from '../../../src/core/rng';
import { sceneCount, type SceneKnobs } from '../../../src/core/data/common';

function counts(knobs: SceneKnobs, maxRegions: number, n = 2000): Set<number> {
  const rng = new Rng(7);
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) seen.add(sceneCount(rng, knobs, maxRegions));
  return seen;
}

describe('scene object counts', () => {
  const base: SceneKnobs = { minObjects: 2, featureNoise: 0.6, shareProb: 0.4 };

  test('without maxObjects: every count in minObjects..maxRegions occurs, nothing outside', () => {
    expect([...counts(base, 8)].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });

  test('maxObjects caps the count; maxRegions still wins when smaller', () => {
    expect([...counts({ ...base, maxObjects: 4 }, 8)].sort((a, b) => a - b)).toEqual([2, 3, 4]);
    expect([...counts({ ...base, maxObjects: 12 }, 5)].sort((a, b) => a - b)).toEqual([2, 3, 4, 5]);
  });

  test('maxObjects = maxRegions draws the same counts as no cap (same random stream)', () => {
    const a = new Rng(3);
    const b = new Rng(3);
    for (let i = 0; i < 100; i++) expect(sceneCount(a, { ...base, maxObjects: 8 }, 8)).toBe(sceneCount(b, base, 8));
  });
});
