import {
  TASK_KINDS,
  type ExampleByKind,
  type GenerateOptions,
  type SceneInput,
  type TaskKind,
} from '../../../src/core/data/types';
import { dataSources } from '../../../src/core/data';
import { NUM_ANSWERS, VOCAB_SIZE } from '../../../src/core/data/vocab';
import { renderRef, resolve } from '../../../src/core/data/refer';
import { encodeWords, VOCAB } from '../../../src/core/data/vocab';
import { generateRefcocoDetailed } from '../../../src/core/data/refcoco';
import { generateRetrievalDetailed, sceneFits } from '../../../src/core/data/retrieval';
import { generateVqaDetailed } from '../../../src/core/data/vqa';
import { generatePretrainDetailed, PRETRAIN_KNOBS } from '../../../src/core/data/pretrain';

const OPTS: GenerateOptions = {
  seed: 7,
  sizes: { train: 60, val: 30, test: 30 },
  regionFeatureDim: 32,
  maxRegions: 8,
  maxTextLength: 24,
};
/** the smallest text budget each task accepts (GenerateOptions below it are rejected). */
const MIN_TEXT: Partial<Record<TaskKind, number>> = { VCR: 22, GQA: 20 };

/** Every token sequence an example carries, and the longest input the batch builder will form. */
function texts(kind: TaskKind, e: ExampleByKind[TaskKind]): { seqs: number[][]; longest: number } {
  switch (kind) {
    case 'VQA':
    case 'GQA': {
      const q = (e as ExampleByKind['VQA']).question;
      return { seqs: [q], longest: q.length };
    }
    case 'VCR': {
      const v = e as ExampleByKind['VCR'];
      const a = Math.max(...v.answers.map((x) => x.length));
      const r = Math.max(...v.rationales.map((x) => x.length));
      // [CLS] q [SEP] a [SEP] r [SEP] must fit in maxTextLength + 2
      return { seqs: [v.question, ...v.answers, ...v.rationales], longest: v.question.length + a + r + 2 };
    }
    case 'SNLI_VE': {
      const h = (e as ExampleByKind['SNLI_VE']).hypothesis;
      return { seqs: [h], longest: h.length };
    }
    case 'REFCOCO': {
      const x = (e as ExampleByKind['REFCOCO']).expression;
      return { seqs: [x], longest: x.length };
    }
    case 'NLVR2': {
      const s = (e as ExampleByKind['NLVR2']).statement;
      return { seqs: [s], longest: s.length };
    }
    default: {
      const c = (e as ExampleByKind['PRETRAIN']).caption;
      return { seqs: [c], longest: c.length };
    }
  }
}

function scenesOf(e: ExampleByKind[TaskKind]): SceneInput[] {
  return 'scenes' in e ? e.scenes : [(e as { scene: SceneInput }).scene];
}

/** Everything checkable about one example; returns the problems found. */
function problems(kind: TaskKind, e: ExampleByKind[TaskKind], opts: GenerateOptions): string[] {
  const out: string[] = [];
  for (const s of scenesOf(e)) {
    // PRETRAIN mixes in 1–2-object scenes (PRETRAIN_KNOBS.smallSceneProb); tasks need ≥ 2 objects.
    const minCount = kind === 'PRETRAIN' ? 1 : 2;
    if (!(s.count >= minCount && s.count <= opts.maxRegions)) out.push(`count ${s.count}`);
    if (s.features.length !== s.count * opts.regionFeatureDim) out.push('feature length');
    if (s.boxes.length !== s.count * 7) out.push('box length');
    if (!s.features.every(Number.isFinite)) out.push('non-finite feature');
    if (!s.boxes.every((v) => v >= 0 && v <= 1)) out.push('box outside [0,1]');
  }
  const { seqs, longest } = texts(kind, e);
  if (longest > opts.maxTextLength) out.push(`text of ${longest} > ${opts.maxTextLength}`);
  for (const t of seqs) {
    if (t.length === 0) out.push('empty text');
    if (!t.every((id) => Number.isInteger(id) && id > 4 && id < VOCAB_SIZE)) out.push('token id out of range');
  }
  const label = (x: number, n: number, what: string): void => {
    if (!(Number.isInteger(x) && x >= 0 && x < n)) out.push(`${what} ${x}`);
  };
  if (kind === 'VQA') {
    const a = (e as ExampleByKind['VQA']).annotatorAnswers;
    if (a.length !== 10) out.push('annotators');
    a.forEach((x) => label(x, NUM_ANSWERS, 'answer'));
  }
  if (kind === 'GQA') label((e as ExampleByKind['GQA']).answer, NUM_ANSWERS, 'answer');
  if (kind === 'VCR') {
    const v = e as ExampleByKind['VCR'];
    if (v.answers.length !== 4 || v.rationales.length !== 4) out.push('choices');
    label(v.answerLabel, 4, 'answerLabel');
    label(v.rationaleLabel, 4, 'rationaleLabel');
    if (new Set(v.answers.map((a) => a.join())).size !== 4) out.push('duplicate answers');
    if (new Set(v.rationales.map((a) => a.join())).size !== 4) out.push('duplicate rationales');
  }
  if (kind === 'SNLI_VE') label((e as ExampleByKind['SNLI_VE']).label, 3, 'label');
  if (kind === 'NLVR2') label((e as ExampleByKind['NLVR2']).label, 2, 'label');
  if (kind === 'REFCOCO')
    label((e as ExampleByKind['REFCOCO']).target, (e as ExampleByKind['REFCOCO']).scene.count, 'target');
  return out;
}

describe.each(TASK_KINDS.map((k) => [k]))('%s generator', (kind) => {
  const src = dataSources[kind];
  const a = src.generate(OPTS);

  it('is registered under its kind with sane defaults', () => {
    expect(src.kind).toBe(kind);
    expect(src.defaultSizes.train).toBeGreaterThan(0);
    if (kind === 'VQA' || kind === 'GQA') expect(src.numAnswers).toBe(NUM_ANSWERS);
  });

  it('gives the asked split sizes and well-formed examples', () => {
    for (const split of ['train', 'val', 'test'] as const) {
      expect(a[split]).toHaveLength(OPTS.sizes[split]);
      const bad = a[split].flatMap((e) => problems(kind, e, OPTS));
      expect(bad).toEqual([]);
    }
  });

  it('is deterministic given its options, and seeded', () => {
    expect(src.generate(OPTS)).toEqual(a);
    const other = src.generate({ ...OPTS, seed: 8 });
    expect(other.train).not.toEqual(a.train);
  });

  it('keeps val/test fixed when the train size changes', () => {
    const b = src.generate({ ...OPTS, sizes: { ...OPTS.sizes, train: 10 } });
    expect(b.train).toHaveLength(10);
    expect(b.val).toEqual(a.val);
    expect(b.test).toEqual(a.test);
  });

  it('respects a tighter text budget and region count', () => {
    const tight: GenerateOptions = {
      ...OPTS,
      sizes: { train: 30, val: 0, test: 0 },
      maxRegions: 4,
      maxTextLength: MIN_TEXT[kind] ?? 16,
    };
    const bad = src.generate(tight).train.flatMap((e) => problems(kind, e, tight));
    expect(bad).toEqual([]);
  });
});

describe('options', () => {
  it('rejects a budget too small for the task with a clear error', () => {
    expect(() => dataSources.VCR.generate({ ...OPTS, maxTextLength: 10 })).toThrow(/maxTextLength/);
    expect(() => dataSources.GQA.generate({ ...OPTS, maxRegions: 2 })).toThrow(/maxRegions/);
    expect(() => dataSources.VQA.generate({ ...OPTS, sizes: { train: -1, val: 0, test: 0 } })).toThrow(/sizes.train/);
  });
});

describe("grounding checks against the generator's own scene description", () => {
  it('PRETRAIN mixes in 1–2-object scenes at smallSceneProb; features match their objects', () => {
    const d = generatePretrainDetailed({ ...OPTS, sizes: { train: 1000, val: 0, test: 0 } });
    const small = d.train.filter((x) => x.objects.length <= 2).length / d.train.length;
    // the crowded scenes (≥ 2 objects, uniform count) add their own 2-object share on top
    expect(small).toBeGreaterThan(PRETRAIN_KNOBS.smallSceneProb - 0.05);
    expect(small).toBeLessThan(PRETRAIN_KNOBS.smallSceneProb + 0.15);
    expect(d.train.some((x) => x.objects.length === 1)).toBe(true);
    for (const x of d.train) expect(x.example.scene.count).toBe(x.objects.length);
  });

  it('PRETRAIN captions use the words of the task texts (unused words collapse under the MLM softmax)', () => {
    const corpus = new Set<number>();
    for (const e of dataSources.PRETRAIN.generate({ ...OPTS, sizes: { train: 5000, val: 0, test: 0 } }).train)
      for (const t of e.caption) corpus.add(t);
    // Question and statement scaffolding no caption states (constant within their templates),
    // counts a one-scene caption cannot reach (zero, nine, ten) and the unobservable properties.
    const allowed = new Set([
      'what',
      'how',
      'many',
      'or',
      'because',
      'images',
      'contain',
      'zero',
      'nine',
      'ten',
      'heavy',
      'old',
      'new',
      'expensive',
      'hollow',
      'warm',
    ]);
    const missing = new Set<string>();
    for (const kind of TASK_KINDS.filter((k) => k !== 'PRETRAIN')) {
      const d = dataSources[kind].generate({
        ...OPTS,
        maxTextLength: Math.max(OPTS.maxTextLength, MIN_TEXT[kind] ?? 0),
        sizes: { train: 300, val: 0, test: 0 },
      });
      for (const e of d.train)
        for (const seq of texts(kind, e as ExampleByKind[TaskKind]).seqs)
          for (const t of seq) {
            const w = VOCAB.tokens[t];
            if (!corpus.has(t) && !allowed.has(w)) missing.add(w);
          }
    }
    expect([...missing]).toEqual([]);
  });

  it('REFCOCO expressions denote exactly their target region', () => {
    const d = generateRefcocoDetailed({ ...OPTS, sizes: { train: 300, val: 0, test: 0 } });
    const wrong = d.train.filter((x) => {
      const hit = resolve(x.ref, x.objects);
      return (
        hit.length !== 1 ||
        hit[0] !== x.example.target ||
        encodeWords(renderRef(x.ref)).join() !== x.example.expression.join()
      );
    });
    expect(wrong).toEqual([]);
    // the expressions are not all one-word: positions and relations are used
    const words = d.train.map((x) => x.ref);
    expect(words.filter((r) => r.extreme).length).toBeGreaterThan(20);
    expect(words.filter((r) => r.rel).length).toBeGreaterThan(20);
  });

  it('RETRIEVAL captions fit their own scene and (almost always) no other scene of the split', () => {
    const d = generateRetrievalDetailed({ ...OPTS, sizes: { train: 0, val: 0, test: 200 } });
    for (const x of d.test) expect(sceneFits(x.objects, x.mentions)).toBe(true);
    const ambiguous = d.test.filter((x, i) => d.test.some((y, j) => j !== i && sceneFits(y.objects, x.mentions)));
    expect(ambiguous.length).toBe(d.test.filter((x) => !x.unique).length);
    expect(ambiguous.length / d.test.length).toBeLessThan(0.02);
  });

  it('VQA annotators mostly agree with the true answer', () => {
    const d = generateVqaDetailed({ ...OPTS, sizes: { train: 300, val: 0, test: 0 } });
    const votes = d.train.map((x) => x.example.annotatorAnswers.filter((a) => a === x.answer).length);
    const fullCredit = votes.filter((v) => v >= 3).length / votes.length;
    expect(fullCredit).toBeGreaterThan(0.95);
    expect(votes.some((v) => v < 10)).toBe(true); // some annotators disagree
  });
});
