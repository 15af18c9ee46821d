/**
 * Metric functions of the SyntheticVL tasks: pure, on plain arrays, no tensors.
 * Each mirrors how UNITER (or the dataset's official script) scores the task.
 */

/**
 * VQA score of one predicted answer class: min(1, #annotators who gave it / 3).
 *
 * This is the common simplification (and the soft target UNITER trains on and looks up to score).
 * The official VQA script instead averages min(1, matches / 3) over the 10 subsets of 9
 * annotators; with 10 annotators that gives 0, 0.3, 0.6, 0.9, 1 for 0, 1, 2, 3, ≥ 4 votes —
 * see vqaScoreOfficial.
 */
export function vqaScore(predicted: number, annotatorAnswers: readonly number[]): number {
  let n = 0;
  for (const a of annotatorAnswers) if (a === predicted) n++;
  return Math.min(1, n / 3);
}

/** The official VQA accuracy: mean over leave-one-annotator-out subsets of min(1, matches / 3). */
export function vqaScoreOfficial(predicted: number, annotatorAnswers: readonly number[]): number {
  const m = annotatorAnswers.length;
  if (m === 0) return 0;
  let n = 0;
  for (const a of annotatorAnswers) if (a === predicted) n++;
  if (m === 1) return Math.min(1, n / 3);
  // dropping a matching annotator leaves n - 1 matches (n such subsets), else n (m - n subsets)
  return (n * Math.min(1, (n - 1) / 3) + (m - n) * Math.min(1, n / 3)) / m;
}

/** Mean vqaScore over examples. */
export function meanVqaScore(predicted: readonly number[], annotatorAnswers: readonly (readonly number[])[]): number {
  checkSameLength(predicted.length, annotatorAnswers.length);
  if (predicted.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < predicted.length; i++) s += vqaScore(predicted[i], annotatorAnswers[i]);
  return s / predicted.length;
}

/** Share of predictions equal to their label (0 for no examples). */
export function accuracy(predicted: readonly number[], labels: readonly number[]): number {
  checkSameLength(predicted.length, labels.length);
  if (labels.length === 0) return 0;
  let hit = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hit++;
  return hit / labels.length;
}

/** Row-wise argmax of a row-major [rows × cols] matrix; the first maximum wins ties. */
export function argmaxRows(values: ArrayLike<number>, cols: number): number[] {
  if (cols < 1 || values.length % cols !== 0)
    throw new Error(`argmaxRows: ${values.length} values do not form rows of ${cols}`);
  const out: number[] = [];
  for (let r = 0; r < values.length / cols; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c] > values[r * cols + best]) best = c;
    out.push(best);
  }
  return out;
}

export interface RetrievalRecall {
  ir_r1: number;
  ir_r5: number;
  ir_r10: number;
  tr_r1: number;
  tr_r5: number;
  tr_r10: number;
}

/**
 * Recall@K for image retrieval (IR: each caption ranks all scenes) and text retrieval (TR: each
 * scene ranks all captions), from a row-major score matrix [captions × scenes] where caption i
 * belongs to scene sceneOf[i] (default: scene i). Higher score = better match.
 *
 * Ties count against the model: the true item's rank is the number of wrong items scoring
 * greater than OR EQUAL to it, so a constant scorer gets R@K = 0 instead of a lucky 1.
 * For TR with several captions per scene, the best-ranked true caption counts (Flickr30k
 * convention).
 */
export function recallAtK(
  scores: ArrayLike<number>,
  numCaptions: number,
  numScenes: number,
  sceneOf?: readonly number[],
): RetrievalRecall {
  if (scores.length !== numCaptions * numScenes)
    throw new Error(`recallAtK: expected ${numCaptions}×${numScenes} scores, got ${scores.length}`);
  const owner = sceneOf ?? Array.from({ length: numCaptions }, (_, i) => i);
  checkSameLength(owner.length, numCaptions);
  const at = (c: number, s: number): number => scores[c * numScenes + s];

  const irRank: number[] = [];
  for (let c = 0; c < numCaptions; c++) {
    const t = owner[c];
    const mine = at(c, t);
    let rank = 0;
    for (let s = 0; s < numScenes; s++) if (s !== t && !(at(c, s) < mine)) rank++;
    irRank.push(rank);
  }
  const trRank: number[] = [];
  for (let s = 0; s < numScenes; s++) {
    let best = Infinity;
    for (let c = 0; c < numCaptions; c++) {
      if (owner[c] !== s) continue;
      const mine = at(c, s);
      let rank = 0;
      for (let o = 0; o < numCaptions; o++) if (owner[o] !== s && !(at(o, s) < mine)) rank++;
      best = Math.min(best, rank);
    }
    if (best !== Infinity) trRank.push(best);
  }
  const recall = (ranks: number[], k: number): number =>
    ranks.length ? ranks.filter((r) => r < k).length / ranks.length : 0;
  return {
    ir_r1: recall(irRank, 1),
    ir_r5: recall(irRank, 5),
    ir_r10: recall(irRank, 10),
    tr_r1: recall(trRank, 1),
    tr_r5: recall(trRank, 5),
    tr_r10: recall(trRank, 10),
  };
}

export interface VcrAccuracy {
  /** Q→A: the answer chosen from the question alone is right. */
  qToA: number;
  /** QA→R: given the right answer, the chosen rationale is right. */
  qaToR: number;
  /** Q→AR: both right on the same example (the primary VCR metric). */
  qToAR: number;
}

export function vcrAccuracy(
  answerPred: readonly number[],
  answerLabel: readonly number[],
  rationalePred: readonly number[],
  rationaleLabel: readonly number[],
): VcrAccuracy {
  const n = answerLabel.length;
  checkSameLength(answerPred.length, n);
  checkSameLength(rationalePred.length, n);
  checkSameLength(rationaleLabel.length, n);
  let both = 0;
  for (let i = 0; i < n; i++) if (answerPred[i] === answerLabel[i] && rationalePred[i] === rationaleLabel[i]) both++;
  return {
    qToA: accuracy(answerPred, answerLabel),
    qaToR: accuracy(rationalePred, rationaleLabel),
    qToAR: n ? both / n : 0,
  };
}

/**
 * MLM accuracy: share of masked positions whose predicted token id equals the original; positions
 * whose label is `ignore` (UNITER uses -1 for "not masked") are skipped.
 */
export function mlmAccuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>, ignore = -1): number {
  checkSameLength(predicted.length, labels.length);
  let hit = 0;
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === ignore) continue;
    n++;
    if (predicted[i] === labels[i]) hit++;
  }
  return n ? hit / n : 0;
}

/** ITM accuracy from the head's two logits per pair [n × 2] (class 1 = matched, as in UNITER). */
export function itmAccuracy(logits: ArrayLike<number>, labels: readonly number[]): number {
  return accuracy(argmaxRows(logits, 2), labels);
}

function checkSameLength(a: number, b: number): void {
  if (a !== b) throw new Error(`metric inputs differ in length: ${a} vs ${b}`);
}
