/**
 * AdamW (decoupled weight decay, Loshchilov & Hutter; PyTorch's update order) with global-norm
 * gradient clipping and optional weight masks. Under a mask, gradients are masked before the
 * moments, the moments themselves are masked, and the weights are re-masked after the update,
 * so a pruned weight stays exactly zero and no stale moment can revive it.
 * On the wasm backend with the native addon the whole step is one fused call
 * (adamw-native.ts, same float32 arithmetic); elsewhere it runs as tfjs ops.
 */
import * as tf from '@tensorflow/tfjs';
import type { WeightMask } from './mask';
import { variableFrom } from '../model/layers';
import { nativeAdamwStep, type NativeAdamwParam } from './adamw-native';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** names of parameters that get no weight decay (LayerNorm, biases). */
  noDecay?: (name: string) => boolean;
  /** clip gradients to this global L2 norm; 0 or undefined = no clipping. */
  clipNorm?: number;
  /** use the fused native step when available (default true); false forces the tfjs ops. */
  native?: boolean;
}

interface Slot {
  m: tf.Variable;
  v: tf.Variable;
}

export class AdamW {
  private readonly slots = new Map<string, Slot>();
  private t = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly clipNorm: number;
  private readonly noDecay: (name: string) => boolean;
  private readonly native: boolean;
  private lastNative = false;

  constructor(opts: AdamWOptions = {}) {
    // UNITER's fine-tuning defaults: betas (0.9, 0.98), weight decay 0.01.
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.98;
    this.eps = opts.eps ?? 1e-6;
    this.weightDecay = opts.weightDecay ?? 0.01;
    this.clipNorm = opts.clipNorm ?? 0;
    this.noDecay = opts.noDecay ?? (() => false);
    this.native = opts.native ?? true;
  }

  /** Whether the last step ran as the fused native call. */
  get usedNative(): boolean {
    return this.lastNative;
  }

  /** Number of updates applied so far. */
  get iterations(): number {
    return this.t;
  }

  /**
   * One update of `params` with `grads` (both keyed by name; parameters without a gradient are
   * left untouched). Does not dispose `grads`.
   */
  step(
    params: ReadonlyMap<string, tf.Variable>,
    grads: ReadonlyMap<string, tf.Tensor>,
    lr: number,
    mask?: WeightMask,
  ): void {
    this.t += 1;
    const t = this.t;
    const bc1 = 1 - Math.pow(this.beta1, t);
    const bc2 = 1 - Math.pow(this.beta2, t);
    this.lastNative = this.native && this.stepNative(params, grads, lr, bc1, bc2, mask);
    if (this.lastNative) return;
    tf.tidy(() => {
      const masked = new Map<string, tf.Tensor>();
      for (const [name, g] of grads) {
        const m = mask?.get(name);
        masked.set(name, m ? tf.mul(g, m) : g);
      }
      let scale: tf.Scalar | null = null;
      if (this.clipNorm > 0 && masked.size > 0) {
        const sq = tf.addN([...masked.values()].map((g) => tf.sum(tf.square(g))));
        const norm = tf.sqrt(sq);
        // factor = clip / max(norm, clip): 1 when under the limit.
        scale = tf.div(this.clipNorm, tf.maximum(norm, this.clipNorm)) as tf.Scalar;
      }
      for (const [name, g0] of masked) {
        const p = params.get(name);
        if (!p) throw new Error(`gradient for unknown parameter ${name}`);
        const g = scale ? tf.mul(g0, scale) : g0;
        const slot = this.slot(name, p);
        const mk = mask?.get(name);
        let m = tf.add(tf.mul(slot.m, this.beta1), tf.mul(g, 1 - this.beta1));
        let v = tf.add(tf.mul(slot.v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        if (mk) {
          m = tf.mul(m, mk);
          v = tf.mul(v, mk);
        }
        slot.m.assign(m);
        slot.v.assign(v);
        const update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), this.eps));
        let next: tf.Tensor = p;
        if (this.weightDecay > 0 && !this.noDecay(name)) next = tf.mul(next, 1 - lr * this.weightDecay);
        next = tf.sub(next, tf.mul(update, lr));
        if (mk) next = tf.mul(next, mk);
        p.assign(next);
      }
    });
  }

  private stepNative(
    params: ReadonlyMap<string, tf.Variable>,
    grads: ReadonlyMap<string, tf.Tensor>,
    lr: number,
    bc1: number,
    bc2: number,
    mask?: WeightMask,
  ): boolean {
    const list: NativeAdamwParam[] = [];
    for (const [name, g] of grads) {
      const p = params.get(name);
      if (!p) throw new Error(`gradient for unknown parameter ${name}`);
      const slot = this.slot(name, p);
      list.push({ p, g, m: slot.m, v: slot.v, mask: mask?.get(name), decay: !this.noDecay(name) });
    }
    return nativeAdamwStep(list, {
      lr,
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.eps,
      weightDecay: this.weightDecay,
      bc1,
      bc2,
      clipNorm: this.clipNorm,
    });
  }

  private slot(name: string, p: tf.Variable): Slot {
    let s = this.slots.get(name);
    if (!s) {
      const zeros = new Float32Array(p.size);
      s = { m: variableFrom(zeros, p.shape, false), v: variableFrom(zeros, p.shape, false) };
      this.slots.set(name, s);
    }
    return s;
  }

  /** Frees the moment buffers. */
  dispose(): void {
    for (const s of this.slots.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots.clear();
  }
}
