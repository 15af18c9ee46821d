/**
 * Row-by-row validation of an imported dataset's JSONL annotations (format: src/import/FORMATS.md).
 * Each row becomes a normalised example — image ids, token-id arrays, integer labels — or a list
 * of problems naming the field and why. Pure functions: no files, no database.
 */
import { VOCAB_TOKENS } from './vocab';
import type { TaskKind } from './types';

/** Longest text accepted (tokens, before [CLS]/[SEP]); UNITER's position table has 512 rows. */
export const MAX_TEXT_TOKENS = 510;

export interface RowContext {
  kind: TaskKind;
  /** "words": whitespace-separated words of the built-in vocabulary; "ids": token-id arrays < vocabSize. */
  text: 'words' | 'ids';
  vocabSize: number;
  /** VQA / GQA answer classes (strings); rows name answers by string or by index. */
  answers: readonly string[];
  /** image id → number of regions; undefined for an unknown image. */
  regionsOf(image: string): number | undefined;
}

export type Normalised = Record<string, unknown>;

export interface RowProblem {
  field: string;
  why: string;
}

const WORD_INDEX = new Map<string, number>(VOCAB_TOKENS.map((w, i) => [w, i]));
const SNLI_LABELS: Record<string, number> = { entailment: 0, neutral: 1, contradiction: 2 };

class RowReader {
  readonly problems: RowProblem[] = [];
  readonly out: Normalised = {};

  constructor(
    private readonly row: Record<string, unknown>,
    private readonly ctx: RowContext,
  ) {}

  fail(field: string, why: string): undefined {
    this.problems.push({ field, why });
    return undefined;
  }

  has(field: string): boolean {
    if (this.row[field] === undefined || this.row[field] === null) {
      this.fail(field, 'missing');
      return false;
    }
    return true;
  }

  image(field: string): string | undefined {
    if (!this.has(field)) return undefined;
    return this.imageValue(field, this.row[field]);
  }

  private imageValue(field: string, v: unknown): string | undefined {
    if (typeof v !== 'string' || v.length === 0)
      return this.fail(field, `must be an image id (a non-empty string), got ${brief(v)}`);
    if (this.ctx.regionsOf(v) === undefined)
      return this.fail(field, `image ${JSON.stringify(v)} has no region features`);
    return v;
  }

  images(field: string, n: number): string[] | undefined {
    if (!this.has(field)) return undefined;
    const v = this.row[field];
    if (!Array.isArray(v) || v.length !== n)
      return this.fail(field, `must list exactly ${n} image ids, got ${brief(v)}`);
    const ids = v.map((x, i) => this.imageValue(`${field}[${i}]`, x));
    return ids.every((x) => x !== undefined) ? (ids as string[]) : undefined;
  }

  text(field: string, v: unknown = this.row[field]): number[] | undefined {
    if (v === undefined || v === null) return this.fail(field, 'missing');
    let ids: number[];
    if (this.ctx.text === 'words') {
      if (typeof v !== 'string') return this.fail(field, `must be a string of words, got ${brief(v)}`);
      const words = v
        .trim()
        .toLowerCase()
        .split(/\s+/)
        .filter((w) => w.length > 0);
      const unknown = words.filter((w) => !WORD_INDEX.has(w));
      if (unknown.length)
        return this.fail(
          field,
          `word(s) not in the built-in vocabulary: ${unknown
            .slice(0, 5)
            .map((w) => JSON.stringify(w))
            .join(', ')} (import token ids instead: "text": "ids")`,
        );
      ids = words.map((w) => WORD_INDEX.get(w)!);
    } else {
      if (!Array.isArray(v)) return this.fail(field, `must be an array of token ids, got ${brief(v)}`);
      const bad = v.findIndex((t) => typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t >= this.ctx.vocabSize);
      if (bad >= 0)
        return this.fail(
          field,
          `token [${bad}] = ${brief(v[bad])} is not an integer id in 0..${this.ctx.vocabSize - 1}`,
        );
      ids = v as number[];
    }
    if (ids.length === 0) return this.fail(field, 'is empty');
    if (ids.length > MAX_TEXT_TOKENS) return this.fail(field, `has ${ids.length} tokens, more than ${MAX_TEXT_TOKENS}`);
    return ids;
  }

  texts(field: string, n: number): number[][] | undefined {
    if (!this.has(field)) return undefined;
    const v = this.row[field];
    if (!Array.isArray(v) || v.length !== n) return this.fail(field, `must list exactly ${n} texts, got ${brief(v)}`);
    const out = v.map((x, i) => this.text(`${field}[${i}]`, x));
    return out.every((x) => x !== undefined) ? (out as number[][]) : undefined;
  }

  int(field: string, min: number, max: number, names?: Record<string, number>): number | undefined {
    if (!this.has(field)) return undefined;
    let v = this.row[field];
    if (typeof v === 'string' && names && v in names) v = names[v];
    if (typeof v === 'boolean' && names === undefined && min === 0 && max === 1) v = v ? 1 : 0;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      return this.fail(
        field,
        `must be an integer in ${min}..${max}${names ? ` or one of ${Object.keys(names).join(', ')}` : ''}, got ${brief(this.row[field])}`,
      );
    }
    return v;
  }

  answer(field: string, v: unknown): number | undefined {
    const n = this.ctx.answers.length;
    if (typeof v === 'string') {
      const i = this.ctx.answers.indexOf(v);
      return i >= 0 ? i : this.fail(field, `answer ${JSON.stringify(v)} is not in the dataset's answer list`);
    }
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < n) return v;
    return this.fail(field, `must be an answer string or an answer index in 0..${n - 1}, got ${brief(v)}`);
  }

  set(key: string, v: unknown): void {
    this.out[key] = v;
  }
}

/** Validates one parsed JSONL row; returns its normalised example or its problems. */
export function validateRow(row: unknown, ctx: RowContext): { example: Normalised | null; problems: RowProblem[] } {
  if (row === null || typeof row !== 'object' || Array.isArray(row))
    return { example: null, problems: [{ field: '(row)', why: `must be a JSON object, got ${brief(row)}` }] };
  const r = new RowReader(row as Record<string, unknown>, ctx);
  const k = ctx.kind;
  if (k === 'NLVR2') r.set('images', r.images('images', 2));
  else r.set('image', r.image('image'));
  if (k === 'VQA') {
    r.set('question', r.text('question'));
    const a = (row as Record<string, unknown>).answers;
    if (r.has('answers')) {
      if (!Array.isArray(a) || a.length < 1 || a.length > 10)
        r.fail('answers', `must list 1..10 annotator answers, got ${brief(a)}`);
      else
        r.set(
          'answers',
          a.map((x, i) => r.answer(`answers[${i}]`, x)),
        );
    }
  } else if (k === 'GQA') {
    r.set('question', r.text('question'));
    if (r.has('answer')) r.set('answer', r.answer('answer', (row as Record<string, unknown>).answer));
  } else if (k === 'VCR') {
    r.set('question', r.text('question'));
    r.set('answers', r.texts('answers', 4));
    r.set('answer_label', r.int('answer_label', 0, 3));
    r.set('rationales', r.texts('rationales', 4));
    r.set('rationale_label', r.int('rationale_label', 0, 3));
  } else if (k === 'SNLI_VE') {
    r.set('hypothesis', r.text('hypothesis'));
    r.set('label', r.int('label', 0, 2, SNLI_LABELS));
  } else if (k === 'REFCOCO') {
    r.set('expression', r.text('expression'));
    const img = r.out.image as string | undefined;
    const n = img === undefined ? undefined : ctx.regionsOf(img);
    r.set('target', r.int('target', 0, (n ?? 1) - 1));
  } else if (k === 'NLVR2') {
    r.set('statement', r.text('statement'));
    r.set('label', r.int('label', 0, 1));
  } else {
    r.set('caption', r.text('caption'));
  }
  return r.problems.length ? { example: null, problems: r.problems } : { example: r.out, problems: [] };
}

/** The fields a row of each kind carries (for the error that names a missing one, and the docs). */
export const ROW_FIELDS: Record<TaskKind, readonly string[]> = {
  VQA: ['image', 'question', 'answers'],
  GQA: ['image', 'question', 'answer'],
  VCR: ['image', 'question', 'answers', 'answer_label', 'rationales', 'rationale_label'],
  SNLI_VE: ['image', 'hypothesis', 'label'],
  REFCOCO: ['image', 'expression', 'target'],
  RETRIEVAL: ['image', 'caption'],
  NLVR2: ['images', 'statement', 'label'],
  PRETRAIN: ['image', 'caption'],
};

function brief(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
