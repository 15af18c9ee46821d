import * as tf from '@tensorflow/tfjs';
import { buildBatch, clipSegments, regionStates, tokenRow } from '../../../src/core/tasks/batch';
import { CLS, PAD, SEP, type SceneInput } from '../../../src/core/data/types';
import type { ModelConfig } from '../../../src/core/model/config';

const config: ModelConfig = {
  layers: 1,
  hidden: 16,
  heads: 2,
  intermediate: 32,
  vocabSize: 40,
  regionFeatureDim: 3,
  maxTextLength: 6,
  maxRegions: 3,
  dropout: 0,
};

function scene(count: number, base: number): SceneInput {
  const features = Float32Array.from({ length: count * 3 }, (_, i) => base + i);
  const boxes = Float32Array.from({ length: count * 7 }, (_, i) => (base + i) / 100);
  return { features, boxes, count };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('batch builder', () => {
  test('adds [CLS]/[SEP], pads text and regions to the batch maximum, and sets masks', () => {
    const built = buildBatch(
      [
        { segments: [[10, 11]], scene: scene(1, 0) },
        { segments: [[12, 13, 14, 15]], scene: scene(2, 100) },
      ],
      config,
    );
    const { input } = built;
    expect(built.textLength).toBe(6);
    expect(built.regionCount).toBe(2);
    expect(input.tokenIds.dtype).toBe('int32');
    expect(input.tokenIds.arraySync()).toEqual([
      [CLS, 10, 11, SEP, PAD, PAD],
      [CLS, 12, 13, 14, 15, SEP],
    ]);
    expect(input.textMask.arraySync()).toEqual([
      [1, 1, 1, 1, 0, 0],
      [1, 1, 1, 1, 1, 1],
    ]);
    expect(input.regionMask.arraySync()).toEqual([
      [1, 0],
      [1, 1],
    ]);
    expect(input.regionFeatures.shape).toEqual([2, 2, 3]);
    expect(input.regionFeatures.arraySync()).toEqual([
      [
        [0, 1, 2],
        [0, 0, 0],
      ],
      [
        [100, 101, 102],
        [103, 104, 105],
      ],
    ]);
    const boxes = input.regionBoxes.arraySync();
    expect(boxes[0][1]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(boxes[1][1][0]).toBeCloseTo(1.07, 6);
    Object.values(input).forEach((t) => t.dispose());
  });

  test('clips text to maxTextLength + 2 and regions to maxRegions', () => {
    const long = Array.from({ length: 20 }, (_, i) => 5 + i);
    const built = buildBatch([{ segments: [long], scene: scene(5, 0) }], config);
    expect(built.textLength).toBe(config.maxTextLength + 2);
    expect(built.tokenRows[0]).toEqual([CLS, 5, 6, 7, 8, 9, 10, SEP]);
    expect(built.regionCount).toBe(3);
    expect(built.input.regionFeatures.shape).toEqual([1, 3, 3]);
    Object.values(built.input).forEach((t) => t.dispose());
  });

  test('several segments are truncated longest-first and each closed by [SEP]', () => {
    expect(
      clipSegments(
        [
          [1, 2, 3, 4, 5],
          [6, 7],
        ],
        5,
      ),
    ).toEqual([
      [1, 2],
      [6, 7],
    ]);
    expect(
      tokenRow(
        [
          [20, 21, 22, 23, 24],
          [30, 31],
        ],
        config,
      ),
    ).toEqual([CLS, 20, 21, 22, SEP, 30, 31, SEP]);
    expect(
      tokenRow(
        [
          [20, 21, 22, 23, 24],
          [30, 31],
        ],
        config,
      ).length,
    ).toBeLessThanOrEqual(config.maxTextLength + 2);
  });

  test('regionStates slices the region positions after the text positions', () => {
    const built = buildBatch([{ segments: [[10]], scene: scene(2, 0) }], config);
    const seq = tf.tensor3d([[[0], [1], [2], [3], [4]]]);
    expect(regionStates(seq, built).arraySync()).toEqual([[[3], [4]]]);
    Object.values(built.input).forEach((t) => t.dispose());
  });

  test('rejects a scene whose features do not match regionFeatureDim', () => {
    const bad: SceneInput = { features: new Float32Array(2), boxes: new Float32Array(7), count: 1 };
    expect(() => buildBatch([{ segments: [[10]], scene: bad }], config)).toThrow(/feature values/);
  });
});
