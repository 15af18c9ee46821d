/** The measured thread choice for large matmuls (pure logic; the addon is not needed). */
import { ThreadChooser } from '../../../src/core/kernels/threads';

test('tries both settings, then uses the cheaper and re-tries the other now and then', () => {
  const c = new ThreadChooser(2, 4, 1);
  expect(c.pick()).toBe(2);
  c.record(2, 10, 1e6);
  expect(c.pick()).toBe(1);
  c.record(1, 4, 1e6); // one thread is cheaper (e.g. a loaded machine)
  const picks = Array.from({ length: 8 }, () => {
    const n = c.pick();
    c.record(n, n === 1 ? 4 : 10, 1e6);
    return n;
  });
  expect(picks.filter((n) => n === 1).length).toBe(4);
  expect(picks.filter((n) => n === 2).length).toBe(4); // explorations, in pairs
  // Conditions change: two threads become cheaper and take over after the next exploration.
  for (let i = 0; i < 8; i++) {
    const n = c.pick();
    c.record(n, n === 1 ? 4 : 1, 1e6);
  }
  expect(c.best()).toBe(2);
});

test('one allowed thread is always one', () => {
  const c = new ThreadChooser(1);
  expect(c.pick()).toBe(1);
  expect(c.best()).toBe(1);
});
