/** Early-Bird's mask distance on hand-made masks and its stop rule on scripted distance sequences. */
import { EarlyBirdStop, maskDistance, Mask } from '../../../src/core/pruning';

const specs = [
  { name: 'a', shape: [3, 7] },
  { name: 'b', shape: [45] },
];
const N = 66;
const mask = (f: (i: number) => boolean) =>
  Mask.pack(
    specs,
    Uint8Array.from({ length: N }, (_, i) => (f(i) ? 1 : 0)),
  );

describe('maskDistance', () => {
  test('identical masks are 0 apart, complements 1, and the count of differing weights ÷ N otherwise', () => {
    const m = mask((i) => i % 3 !== 0);
    expect(maskDistance(m, m)).toBe(0);
    // disjoint halves: the first keeps the first half, the second the second half
    expect(
      maskDistance(
        mask((i) => i < N / 2),
        mask((i) => i >= N / 2),
      ),
    ).toBe(1);
    // exactly 5 weights differ
    const other = mask((i) => (i % 3 !== 0) !== [0, 10, 33, 64, 65].includes(i));
    expect(maskDistance(m, other)).toBe(5 / N);
    expect(maskDistance(other, m)).toBe(5 / N);
  });

  test('masks of different layouts are refused', () => {
    const one = Mask.ones([{ name: 'a', shape: [66] }]);
    expect(() =>
      maskDistance(
        one,
        mask(() => true),
      ),
    ).toThrow(/layout/);
  });
});

describe('EarlyBirdStop', () => {
  test('stops at the first draw whose window of distances is entirely below the tolerance', () => {
    const stop = new EarlyBirdStop({ window: 3, tolerance: 0.1 });
    const seq = [0.5, 0.3, 0.09, 0.2, 0.08, 0.05, 0.099, 0.01];
    const at = seq.findIndex((d) => stop.draw([d]));
    expect(at).toBe(6); // 0.08, 0.05, 0.099: the first window of 3 all < 0.1
    expect(stop.windowMax).toBe(0.099);
  });

  test('the largest distance over the sparsities decides; a distance equal to the tolerance does not stop', () => {
    const stop = new EarlyBirdStop({ window: 2, tolerance: 0.1 });
    expect(stop.draw([0.01, 0.2])).toBe(false);
    expect(stop.draw([0.01, 0.05])).toBe(false); // the window still holds 0.2
    expect(stop.draw([0.1, 0.02])).toBe(false); // 0.1 is not below 0.1
    expect(stop.draw([0.02, 0.03])).toBe(false); // window: 0.1, 0.03
    expect(stop.draw([0.0, 0.09])).toBe(true);
  });

  test('a window longer than the draws never stops; bad rules are refused', () => {
    const stop = new EarlyBirdStop({ window: 5, tolerance: 0.1 });
    for (let i = 0; i < 4; i++) expect(stop.draw([0])).toBe(false);
    expect(stop.draw([0])).toBe(true);
    expect(() => new EarlyBirdStop({ window: 0, tolerance: 0.1 })).toThrow(/window/);
    expect(() => new EarlyBirdStop({ window: 2, tolerance: 0 })).toThrow(/tolerance/);
  });
});
