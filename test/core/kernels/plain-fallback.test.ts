/** With the addon disabled the backend still starts and reports the plain kernels. */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/backend';
import { nativeKernelStatus } from '../../../src/core/kernels/install';

const saved = process.env.TICKETLAB_NATIVE;
afterAll(() => {
  if (saved === undefined) delete process.env.TICKETLAB_NATIVE;
  else process.env.TICKETLAB_NATIVE = saved;
});

test('TICKETLAB_NATIVE=0 leaves the plain wasm kernels in place', async () => {
  // The addon is looked up lazily at initBackend, so setting this first is enough.
  process.env.TICKETLAB_NATIVE = '0';
  const info = await initBackend('wasm');
  expect(info.kernels).toBe('plain');
  expect(nativeKernelStatus().installed).toBe(false);
  expect(nativeKernelStatus().reason).toMatch(/TICKETLAB_NATIVE=0/);
  const c = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
  expect(Array.from(c.dataSync())).toEqual([11]);
});
