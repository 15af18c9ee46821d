/**
 * Mean's gradient without a full-size ones tensor. tfjs computes dx = (dy ⊙ ones(x.shape)) / n,
 * building the ones in JavaScript on every backward pass (LayerNorm takes two means per call,
 * so a training step built ~16 such arrays of the activation size). dx = tile(dy / n) gives
 * the same float32 values (multiplying by 1 is exact, and dividing before or after the
 * broadcast is the same division). The tile is only cheap with the native broadcast Tile
 * (the wasm backend's own Tile is ~10x slower than the ones), so elsewhere the gradient keeps
 * tfjs's formula.
 */
import * as tf from '@tensorflow/tfjs';

let fastTile: () => boolean = () => false;

let registered = false;

/** `nativeTile` says whether the native broadcast Tile would run now. */
export function registerMeanGradient(nativeTile: () => boolean): void {
  fastTile = nativeTile;
  if (registered) return;
  registered = true;
  tf.registerGradient({
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
      const n = axes.reduce((p, a) => p * x.shape[a], 1);
      return {
        x: () => {
          const expanded = x.shape.slice();
          for (const a of axes) expanded[a] = 1;
          const g = tf.reshape(dy as tf.Tensor, expanded);
          if (!fastTile()) return tf.div(tf.mul(g, tf.ones(x.shape, 'float32')), n); // tfjs's own
          return tf.broadcastTo(tf.div(g, n), x.shape);
        },
      };
    },
  });
}
