/**
 * The real fine-tune loop (encoder with dropout, AdamW with clipping and decay, a weight mask)
 * for 20 steps from the same weights: every loss on the native kernel set (native matmul,
 * elementwise kernels, fused AdamW) within 1e-4 relative of the stock wasm kernels with the
 * tfjs AdamW (issue bound 1e-3), and pruned weights exactly 0 on both.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/backend';
import { setNativeKernelsEnabled } from '../../../src/core/kernels/install';
import { loadNativeBlas, nativeLoadError } from '../../../src/core/kernels/native';
import { createEncoder, prunableWeightNames } from '../../../src/core/model/uniter';
import { fineTune, maskTensor } from '../../../src/core/training';
import { Rng } from '../../../src/core/rng';
import { TOY_CONFIG, toyData, toyTask } from '../training/toy-task';

const haveAddon = loadNativeBlas() !== null;
if (!haveAddon) console.warn(`native fine-tune tests SKIPPED: ${nativeLoadError()}`);
const maybe = haveAddon ? describe : describe.skip;

maybe('fine-tune loop on native kernels (wasm)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  function run(native: boolean): { losses: number[]; prunedNonZero: number; pruned: number } {
    setNativeKernelsEnabled(native);
    try {
      const enc = createEncoder(TOY_CONFIG, new Rng(1));
      const rng = new Rng(2);
      const mask = new Map(
        prunableWeightNames(TOY_CONFIG).map((n) => {
          const v = enc.params.get(n)!;
          return [
            n,
            maskTensor(
              Array.from({ length: v.size }, () => (rng.next() < 0.6 ? 1 : 0)),
              v.shape,
            ),
          ] as const;
        }),
      );
      const data = toyData(TOY_CONFIG, [64, 8, 8], 4);
      const r = fineTune({ encoder: enc, task: toyTask, data, steps: 20, lr: 5e-3, batchSize: 16, seed: 3, mask });
      let pruned = 0;
      let prunedNonZero = 0;
      for (const [n, m] of mask) {
        const mv = m.dataSync();
        const w = r.finalWeights.get(n)!;
        for (let i = 0; i < mv.length; i++)
          if (mv[i] === 0) {
            pruned++;
            if (w[i] !== 0) prunedNonZero++;
          }
      }
      tf.dispose([...mask.values()]);
      enc.dispose();
      return { losses: r.lossHistory, prunedNonZero, pruned };
    } finally {
      setNativeKernelsEnabled(true);
    }
  }

  test('20 steps: losses match the stock kernels, pruned weights stay 0', () => {
    const nat = run(true);
    const plain = run(false);
    expect(nat.losses).toHaveLength(20);
    expect(Math.min(...nat.losses.slice(15))).toBeLessThan(nat.losses[0]); // it does train
    for (let i = 0; i < 20; i++)
      expect(Math.abs(nat.losses[i] - plain.losses[i]) / Math.abs(plain.losses[i])).toBeLessThanOrEqual(1e-4);
    expect(nat.pruned).toBeGreaterThan(500);
    expect(nat.prunedNonZero).toBe(0);
    expect(plain.prunedNonZero).toBe(0);
  });
});
