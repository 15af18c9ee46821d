import { TASK_KINDS, type GenerateOptions } from '../../../src/core/data/types';
import { chanceLevel, dataSources, labelStats } from '../../../src/core/data';

/** The shipped model's input shape (src/core/model/builtin.ts). */
const SHAPE = { regionFeatureDim: 32, maxRegions: 8, maxTextLength: 24 };

describe('default splits', () => {
  it('generate quickly, with balanced labels; prints label distributions and chance levels', () => {
    const lines: string[] = [];
    for (const kind of TASK_KINDS) {
      const src = dataSources[kind];
      // the pre-training corpus is timed at a fifth of its default size to keep the suite fast
      const sizes = kind === 'PRETRAIN' ? { train: src.defaultSizes.train / 5, val: 100, test: 100 } : src.defaultSizes;
      const opts: GenerateOptions = { seed: 1, sizes, ...SHAPE };
      const t0 = Date.now();
      const d = src.generate(opts);
      const ms = Date.now() - t0;
      const st = labelStats(kind, d.train);
      const chance = chanceLevel(kind, d.test, src.numAnswers);
      const top = Object.entries(st.distribution)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([k, v]) => `${k}:${v.toFixed(3)}`)
        .join(' ');
      lines.push(
        `${kind} sizes ${JSON.stringify(sizes)} ${ms} ms chance(test) ${chance.toFixed(3)} majority(train) ${st.majority.toFixed(3)} top ${top}`,
      );
      // generous bound: the machine running tests is shared; the figure itself is printed
      expect(ms).toBeLessThan(15000);
      if (kind === 'SNLI_VE') for (const v of Object.values(st.distribution)) expect(v).toBeCloseTo(1 / 3, 2);
      if (kind === 'NLVR2') for (const v of Object.values(st.distribution)) expect(v).toBeCloseTo(1 / 2, 2);
      if (kind === 'VCR') for (const v of Object.values(st.distribution)) expect(v).toBeCloseTo(0.25, 2);
      if (kind === 'VQA' || kind === 'GQA') expect(st.majority).toBeLessThan(0.35);
      if (kind === 'PRETRAIN')
        expect(src.defaultSizes.train).toBeGreaterThanOrEqual(10 * dataSources.VQA.defaultSizes.train);
    }
    console.log(lines.join('\n'));
  });
});
