/** Label distributions and chance levels of a generated split (for reports and sanity tests). */
import type { ExampleByKind, TaskKind } from './types';

export interface LabelStats {
  /** label → share of examples (VQA: the most-voted annotator answer; others: the gold label). */
  distribution: Record<string, number>;
  /** share of the most frequent label: what always answering it scores (accuracy). */
  majority: number;
}

/** The label a classifier would be graded on, or null where the task has none (retrieval, pre-training). */
function labelOf<K extends TaskKind>(kind: K, e: ExampleByKind[K]): number | null {
  switch (kind) {
    case 'VQA': {
      const votes = new Map<number, number>();
      for (const a of (e as ExampleByKind['VQA']).annotatorAnswers) votes.set(a, (votes.get(a) ?? 0) + 1);
      return [...votes.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0][0];
    }
    case 'GQA':
      return (e as ExampleByKind['GQA']).answer;
    case 'VCR':
      return (e as ExampleByKind['VCR']).answerLabel;
    case 'SNLI_VE':
      return (e as ExampleByKind['SNLI_VE']).label;
    case 'REFCOCO':
      return (e as ExampleByKind['REFCOCO']).target;
    case 'NLVR2':
      return (e as ExampleByKind['NLVR2']).label;
    default:
      return null;
  }
}

export function labelStats<K extends TaskKind>(kind: K, examples: readonly ExampleByKind[K][]): LabelStats {
  const counts: Record<string, number> = {};
  let n = 0;
  for (const e of examples) {
    const l = labelOf(kind, e);
    if (l === null) continue;
    counts[l] = (counts[l] ?? 0) + 1;
    n++;
  }
  const distribution: Record<string, number> = {};
  for (const [k, v] of Object.entries(counts)) distribution[k] = v / n;
  return { distribution, majority: n ? Math.max(...Object.values(counts)) / n : 0 };
}

/**
 * Expected primary metric of a model that ignores the input and guesses uniformly (VQA/GQA:
 * the better of uniform guessing and always answering the majority class, since a trained head
 * finds the prior at once; VCR Q→AR: 1/16; REFCOCO: mean 1/regions; RETRIEVAL IR R@1: 1/gallery).
 */
export function chanceLevel<K extends TaskKind>(
  kind: K,
  examples: readonly ExampleByKind[K][],
  numAnswers = 0,
): number {
  if (examples.length === 0) return 0;
  switch (kind) {
    case 'VQA': {
      // always predicting the most common true answer: its mean VQA score
      const byAnswer = new Map<number, number>();
      for (const e of examples as readonly ExampleByKind['VQA'][]) {
        const votes = new Map<number, number>();
        for (const a of e.annotatorAnswers) votes.set(a, (votes.get(a) ?? 0) + 1);
        for (const [a, v] of votes) byAnswer.set(a, (byAnswer.get(a) ?? 0) + Math.min(1, v / 3));
      }
      return Math.max(...byAnswer.values()) / examples.length;
    }
    case 'GQA':
      return Math.max(labelStats(kind, examples).majority, numAnswers ? 1 / numAnswers : 0);
    case 'VCR':
      return 1 / 16;
    case 'SNLI_VE':
      return labelStats(kind, examples).majority;
    case 'NLVR2':
      return labelStats(kind, examples).majority;
    case 'REFCOCO': {
      let s = 0;
      for (const e of examples as readonly ExampleByKind['REFCOCO'][]) s += 1 / e.scene.count;
      return s / examples.length;
    }
    case 'RETRIEVAL':
      return 1 / examples.length;
    default:
      return 0;
  }
}
