import {
  accuracy,
  argmaxRows,
  itmAccuracy,
  meanVqaScore,
  mlmAccuracy,
  recallAtK,
  vcrAccuracy,
  vqaScore,
  vqaScoreOfficial,
} from '../../../src/core/tasks/metrics';

/** 10 annotators, `votes` of whom answered class 7 (the rest spread over other classes). */
function annotators(votes: number): number[] {
  return Array.from({ length: 10 }, (_, i) => (i < votes ? 7 : 20 + i));
}

describe('VQA score', () => {
  it('is min(1, votes / 3) for 0, 1, 2, 3, 10 votes', () => {
    expect(vqaScore(7, annotators(0))).toBe(0);
    expect(vqaScore(7, annotators(1))).toBeCloseTo(1 / 3, 10);
    expect(vqaScore(7, annotators(2))).toBeCloseTo(2 / 3, 10);
    expect(vqaScore(7, annotators(3))).toBe(1);
    expect(vqaScore(7, annotators(4))).toBe(1);
    expect(vqaScore(7, annotators(10))).toBe(1);
  });
  it('official 10-choose-9 averaging gives 0, 0.3, 0.6, 0.9, 1', () => {
    expect(vqaScoreOfficial(7, annotators(0))).toBe(0);
    expect(vqaScoreOfficial(7, annotators(1))).toBeCloseTo(0.3, 10);
    expect(vqaScoreOfficial(7, annotators(2))).toBeCloseTo(0.6, 10);
    expect(vqaScoreOfficial(7, annotators(3))).toBeCloseTo(0.9, 10);
    expect(vqaScoreOfficial(7, annotators(4))).toBe(1);
    expect(vqaScoreOfficial(7, annotators(10))).toBe(1);
  });
  it('averages over examples', () => {
    expect(meanVqaScore([7, 7, 3], [annotators(10), annotators(1), annotators(10)])).toBeCloseTo(
      (1 + 1 / 3 + 0) / 3,
      10,
    );
    expect(() => meanVqaScore([1], [])).toThrow();
  });
});

describe('accuracy and argmax', () => {
  it('counts equal entries', () => {
    expect(accuracy([1, 2, 3, 4], [1, 0, 3, 0])).toBe(0.5);
    expect(accuracy([], [])).toBe(0);
  });
  it('argmax takes the first maximum', () => {
    expect(argmaxRows([0, 2, 2, 5, 1, 1], 3)).toEqual([1, 0]);
    expect(() => argmaxRows([1, 2, 3], 2)).toThrow();
  });
  it('ITM accuracy reads class 1 as matched', () => {
    expect(itmAccuracy([0.1, 0.9, 2, -1, 0, 0], [1, 0, 1])).toBeCloseTo(2 / 3, 10);
  });
  it('MLM accuracy skips unmasked (-1) positions', () => {
    expect(mlmAccuracy([5, 9, 8, 7], [5, -1, 3, -1])).toBe(0.5);
    expect(mlmAccuracy([5], [-1])).toBe(0);
  });
});

describe('VCR', () => {
  it('Q→AR needs both the answer and the rationale right', () => {
    const r = vcrAccuracy([0, 1, 2, 3], [0, 1, 2, 0], [1, 0, 3, 3], [1, 2, 3, 3]);
    expect(r.qToA).toBe(0.75);
    expect(r.qaToR).toBe(0.75);
    expect(r.qToAR).toBe(0.5); // examples 0 and 2 only
  });
});

describe('recall@K', () => {
  it('perfect diagonal scores give 1 everywhere', () => {
    const n = 12;
    const s = Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) === k % n ? 1 : 0));
    expect(recallAtK(s, n, n)).toEqual({ ir_r1: 1, ir_r5: 1, ir_r10: 1, tr_r1: 1, tr_r5: 1, tr_r10: 1 });
  });
  it('ties count against the true item', () => {
    const n = 12;
    const constant = new Array(n * n).fill(0.5);
    expect(recallAtK(constant, n, n)).toEqual({ ir_r1: 0, ir_r5: 0, ir_r10: 0, tr_r1: 0, tr_r5: 0, tr_r10: 0 });
    // caption 0 ties with one other scene: rank 1 → miss at K=1, hit at K=5
    const s = [1, 1, 0, 0, 1, 0, 0, 0, 1];
    const r = recallAtK(s, 3, 3);
    expect(r.ir_r1).toBeCloseTo(2 / 3, 10);
    expect(r.ir_r5).toBe(1);
    // scene 1: captions 0 and 1 both score 1 → tie against caption 1
    expect(r.tr_r1).toBeCloseTo(2 / 3, 10);
  });
  it('ranks by score, IR over rows and TR over columns', () => {
    // 6 captions × 6 scenes; caption i's true scene is ranked i-th (0-based) among scenes
    const n = 6;
    const s: number[] = [];
    for (let c = 0; c < n; c++) for (let j = 0; j < n; j++) s.push(j === c ? 10 - c : j < c ? 20 : 0);
    const r = recallAtK(s, n, n);
    expect(r.ir_r1).toBeCloseTo(1 / 6, 10);
    expect(r.ir_r5).toBeCloseTo(5 / 6, 10);
    expect(r.ir_r10).toBe(1);
    // TR for scene j: wrong captions c > j score 20 on it, so rank = n - 1 - j
    expect(r.tr_r1).toBeCloseTo(1 / 6, 10);
    expect(r.tr_r5).toBeCloseTo(5 / 6, 10);
  });
  it('several captions per scene: TR takes the best true caption', () => {
    // captions 0,1 → scene 0; caption 2 → scene 1
    const s = [0, 1, /* c0 */ 5, 1, /* c1 */ 0, 3 /* c2 */];
    const r = recallAtK(s, 3, 2, [0, 0, 1]);
    expect(r.ir_r1).toBeCloseTo(2 / 3, 10);
    expect(r.tr_r1).toBe(1);
  });
});
