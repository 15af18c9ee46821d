/**
 * End to end: an encoder layer (the model's own linear/layerNorm/gelu, Adam) trained for
 * 20 steps from the same weights gives the same losses on the native kernel set and on the
 * stock wasm kernels (issue bound: 1e-3 relative; asserted here at 1e-4). Also checks that
 * the zero-copy Identity keeps clones valid after the source is disposed.
 */
import * as tf from '@tensorflow/tfjs';
import { layerStep } from '../../../bench/kernels.bench';
import { initBackend } from '../../../src/core/backend';
import { setNativeKernelsEnabled } from '../../../src/core/kernels/install';
import { loadNativeBlas, nativeLoadError } from '../../../src/core/kernels/native';

const haveAddon = loadNativeBlas() !== null;
if (!haveAddon) console.warn(`native training tests SKIPPED: ${nativeLoadError()}`);
const maybe = haveAddon ? describe : describe.skip;

maybe('training on native kernels (wasm)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  function losses(native: boolean): number[] {
    setNativeKernelsEnabled(native);
    try {
      const step = layerStep({ batch: 4, tokens: 9, hidden: 16, heads: 2, ffn: 33 }, 1e-2);
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push(step.run());
      step.dispose();
      return out;
    } finally {
      setNativeKernelsEnabled(true);
    }
  }

  test('20 steps: losses match the stock kernels', () => {
    const before = tf.memory().numTensors;
    const nat = losses(true);
    expect(tf.memory().numTensors).toBe(before);
    const plain = losses(false);
    expect(nat[19]).toBeLessThan(nat[0]); // it does train
    for (let i = 0; i < 20; i++) expect(Math.abs(nat[i] - plain[i]) / Math.abs(plain[i])).toBeLessThanOrEqual(1e-4);
  });

  test('zero-copy Identity: a clone outlives its source and stays independent', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    const v = tf.variable(y);
    v.assign(tf.tensor1d([7, 8, 9]));
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([y, v]);
  });
});
