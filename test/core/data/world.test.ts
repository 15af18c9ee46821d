import { Rng } from '../../../src/core/rng';
import { CLS, MASK, PAD, SEP, UNK } from '../../../src/core/data/types';
import {
  ANSWER_WORDS,
  NUM_ANSWERS,
  VOCAB,
  VOCAB_SIZE,
  VOCAB_TOKENS,
  decodeTokens,
  encodeWords,
} from '../../../src/core/data/vocab';
import {
  ATTR_TYPES,
  ATTR_VALUES,
  attributeEmbeddings,
  centerX,
  centerY,
  encodeScene,
  sampleObjects,
} from '../../../src/core/data/world';

describe('vocabulary', () => {
  it('has the special tokens first and every attribute and answer word', () => {
    expect([PAD, UNK, CLS, SEP, MASK].map((i) => VOCAB_TOKENS[i])).toEqual([
      '[PAD]',
      '[UNK]',
      '[CLS]',
      '[SEP]',
      '[MASK]',
    ]);
    expect(new Set(VOCAB_TOKENS).size).toBe(VOCAB_SIZE);
    for (const t of ATTR_TYPES) for (const w of ATTR_VALUES[t]) expect(VOCAB.id(w)).toBeGreaterThan(MASK);
    for (const w of ANSWER_WORDS) expect(VOCAB.id(w)).toBeGreaterThan(MASK);
    expect(NUM_ANSWERS).toBe(ANSWER_WORDS.length);
    expect(VOCAB.id('zebra')).toBe(UNK);
  });
  it('encodes strictly and decodes back', () => {
    expect(decodeTokens(encodeWords(['the', 'red', 'cube']))).toBe('the red cube');
    expect(() => encodeWords(['the', 'zebra'])).toThrow(/zebra/);
  });
});

describe('world', () => {
  it('attribute embeddings are fixed per feature width', () => {
    const a = attributeEmbeddings(16);
    expect(attributeEmbeddings(16)).toBe(a);
    expect(a.colour).toHaveLength(ATTR_VALUES.colour.length);
    expect(a.colour[0]).toHaveLength(16);
    // distinct values point in clearly different directions
    const dot = a.colour[0].reduce((s, v, i) => s + v * a.colour[1][i], 0);
    const norm = Math.sqrt(a.colour[0].reduce((s, v) => s + v * v, 0) * a.colour[1].reduce((s, v) => s + v * v, 0));
    expect(Math.abs(dot / norm)).toBeLessThan(0.9);
  });

  it('a region feature is the sum of its attribute embeddings plus noise of the asked size', () => {
    const rng = new Rng(3);
    const dim = 32;
    const noise = 0.5;
    const tables = attributeEmbeddings(dim);
    let sq = 0;
    let n = 0;
    for (let k = 0; k < 50; k++) {
      const objects = sampleObjects(rng, { count: 5, shareProb: 0.4 });
      const scene = encodeScene(objects, dim, noise, rng);
      objects.forEach((o, i) => {
        for (let d = 0; d < dim; d++) {
          const clean =
            tables.size[o.size][d] +
            tables.colour[o.colour][d] +
            tables.material[o.material][d] +
            tables.shape[o.shape][d];
          sq += (scene.features[i * dim + d] - clean) ** 2;
          n++;
        }
      });
    }
    expect(Math.sqrt(sq / n)).toBeGreaterThan(0.45);
    expect(Math.sqrt(sq / n)).toBeLessThan(0.55);
  });

  it('boxes are 7-d, inside [0, 1], non-degenerate, with definite pairwise order', () => {
    const rng = new Rng(9);
    const problems: string[] = [];
    for (let k = 0; k < 200; k++) {
      const count = 2 + (k % 11);
      const objects = sampleObjects(rng, { count, shareProb: 0.5 });
      const { boxes, count: c } = encodeScene(objects, 8, 0.1, rng);
      if (c !== count) problems.push(`count ${c} != ${count}`);
      for (let i = 0; i < c; i++) {
        const [x1, y1, x2, y2, w, h, area] = boxes.subarray(i * 7, i * 7 + 7);
        if (![x1, y1, x2, y2, w, h, area].every((v) => v >= 0 && v <= 1)) problems.push(`box ${k}/${i} outside [0,1]`);
        if (!(w > 0.05 && h > 0.05)) problems.push(`box ${k}/${i} degenerate`);
        if (Math.abs(x2 - x1 - w) > 1e-5 || Math.abs(y2 - y1 - h) > 1e-5 || Math.abs(area - w * h) > 1e-5)
          problems.push(`box ${k}/${i} inconsistent`);
      }
      for (let i = 0; i < c; i++) {
        for (let j = i + 1; j < c; j++) {
          if (Math.abs(centerX(objects[i]) - centerX(objects[j])) < 0.01) problems.push(`x order ${k}/${i},${j}`);
          if (Math.abs(centerY(objects[i]) - centerY(objects[j])) < 0.01) problems.push(`y order ${k}/${i},${j}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
