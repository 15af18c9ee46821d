/**
 * Adversarial fine-tuning in the style of VILLA / FreeLB (DESIGN §3): perturbations δ on the word
 * embeddings and on the raw region features (EncodeOptions.perturb), found by K steps of PGD in a
 * per-example L2 (Frobenius) ball of radius ε with normalised-gradient steps of size η, then
 *
 *   loss = L(clean) + α · L(adv) + β · symKL(clean logits, adv logits)
 *
 * where L is the task's own training loss (CE, BCE, hinge, or the MLM+ITM+MRM sum).
 *
 * Choices (documented, as the papers leave them to the code):
 * - δ starts at 0 (VILLA-LXMERT's adv_init_mag 0). The PGD ascent objective is
 *   L(adv) + β·symKL (VILLA's); every step adds η·g/‖g‖ per example (‖g‖ clamped at 1e-8), then
 *   projects onto the ε ball. The found δ is detached (a host copy): the weights' gradient does
 *   not flow through the attack, as in FreeLB/VILLA.
 * - All forwards of one step (clean, K attack steps, adversarial) use the same dropout seed and
 *   the same task randomness (one seed drawn from the step's rng), so MLM/ITM corruption and
 *   in-batch retrieval negatives are identical and symKL measures the perturbation only.
 * - symKL = KL(p‖q) + KL(q‖p) = Σ (p − q)(log p − log q), averaged over rows:
 *   'softmax' over the last axis of the task's logits for every classification task (VQA's
 *   answer scores included, as VILLA does), RefCOCO's masked regions contribute exactly 0;
 *   'bernoulli' for RETRIEVAL, whose logits are rank scores s: each is the match probability
 *   σ(s), as UNITER's ITM reading of the same score. PRETRAIN's logits are the ITM logits
 *   (softmax); its MLM and MRM parts enter through L(clean) and L(adv) only.
 * - Defaults: K = 3 (VILLA), α = 1, β = 1 (the issue's), ε and η per modality, scaled to this
 *   model's inputs (see ADVERSARIAL_DEFAULTS).
 * Pruned weights stay exactly 0: only the objective changes (the loop's `objective` option);
 * the masked optimiser is the same. No tf.gather is differentiated by the attack (δ is added after the embedding lookup).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng';
import type { Encoder, EncodeOptions, ParamMap } from '../model/types';
import type { LossResult, TaskDefinition } from '../tasks/types';
import type { ExampleByKind, TaskKind } from '../data/types';
import type { Objective } from './loop';

export type Modality = 'word' | 'region';
export type KlMode = 'softmax' | 'bernoulli';

export interface AdversarialOptions {
  /** PGD steps K. */
  steps?: number;
  /** L2 radius per example, per modality (a number sets both). */
  epsilon?: number | Partial<Record<Modality, number>>;
  /** PGD step size per modality (a number sets both). */
  stepSize?: number | Partial<Record<Modality, number>>;
  /** weight of the adversarial loss. */
  alpha?: number;
  /** weight of the symmetric KL. */
  beta?: number;
  /** which inputs are perturbed; default both. */
  modalities?: readonly Modality[];
  /** how logits become distributions; default by task kind ('bernoulli' for RETRIEVAL). */
  klMode?: KlMode;
}

export interface ResolvedAdversarial {
  steps: number;
  epsilon: Record<Modality, number>;
  stepSize: Record<Modality, number>;
  alpha: number;
  beta: number;
  modalities: readonly Modality[];
  klMode: KlMode;
}

/**
 * Defaults for the built-in model (hidden 64, 32-d region features). ε is about 1% of a typical
 * example's input norm, measured on the shipped mini-uniter and SyntheticVL (median Frobenius
 * norm per example over VQA/RefCOCO/SNLI-VE: word embeddings of [CLS] text [SEP] ≈ 1.5–1.8,
 * region features of a scene ≈ 27–29); η = ε/2, so K = 3 steps can reach the boundary — the
 * proportions of VILLA's text settings. The first defaults, 10% of the norm (0.17 / 2.8), made
 * the dense model ignore the image (VQA 0.536 against 0.650 standard); a sweep of the radius
 * (scripts/adversarial-sweep.ts, docs/science.md) found a tenth of it level with standard.
 * Other models: pass ε and η for their input scale.
 */
export const ADVERSARIAL_DEFAULTS = {
  steps: 3,
  epsilon: { word: 0.017, region: 0.28 },
  stepSize: { word: 0.0085, region: 0.14 },
  alpha: 1,
  beta: 1,
  modalities: ['word', 'region'] as readonly Modality[],
};

/**
 * The attack an evaluation was trained with, stored beside its training mode so that results of
 * two attacks are never pooled (dense references, curves, tables): '' for STANDARD.
 */
export const ATTACK_LABEL = attackLabel(ADVERSARIAL_DEFAULTS);
/** The label of the first defaults (ε 0.17 / 2.8), given to evaluations stored before labels existed. */
export const FIRST_ATTACK_LABEL = 'pgd3 eps 0.17/2.8 alpha 1 beta 1';

export function attackLabel(d: Pick<ResolvedAdversarial, 'steps' | 'epsilon' | 'alpha' | 'beta'>): string {
  return `pgd${d.steps} eps ${d.epsilon.word}/${d.epsilon.region} alpha ${d.alpha} beta ${d.beta}`;
}

export function attackOf(trainingMode: string): string {
  return trainingMode === 'ADVERSARIAL' ? ATTACK_LABEL : '';
}

function perModality(
  v: number | Partial<Record<Modality, number>> | undefined,
  fallback: Record<Modality, number>,
  what: string,
): Record<Modality, number> {
  const r = typeof v === 'number' ? { word: v, region: v } : { ...fallback, ...(v ?? {}) };
  for (const m of ['word', 'region'] as const) {
    if (!(Number.isFinite(r[m]) && r[m] >= 0))
      throw new Error(`adversarial ${what}.${m} must be a finite number ≥ 0; got ${r[m]}`);
  }
  return r;
}

export function resolveAdversarial(kind: TaskKind, o: AdversarialOptions = {}): ResolvedAdversarial {
  const d = ADVERSARIAL_DEFAULTS;
  const steps = o.steps ?? d.steps;
  if (!(Number.isInteger(steps) && steps >= 1 && steps <= 50))
    throw new Error(`adversarial steps must be an integer in [1, 50]; got ${steps}`);
  const alpha = o.alpha ?? d.alpha;
  const beta = o.beta ?? d.beta;
  if (!(alpha >= 0 && Number.isFinite(alpha)) || !(beta >= 0 && Number.isFinite(beta)))
    throw new Error('adversarial alpha and beta must be finite and ≥ 0');
  return {
    steps,
    alpha,
    beta,
    epsilon: perModality(o.epsilon, d.epsilon, 'epsilon'),
    stepSize: perModality(o.stepSize, d.stepSize, 'stepSize'),
    modalities: o.modalities ?? d.modalities,
    klMode: o.klMode ?? (kind === 'RETRIEVAL' ? 'bernoulli' : 'softmax'),
  };
}

/** Symmetric KL between the distributions read from two logit tensors of the same shape (mean over rows). */
export function symmetricKl(a: tf.Tensor, b: tf.Tensor, mode: KlMode): tf.Scalar {
  return tf.tidy(() => {
    if (mode === 'bernoulli') {
      // log σ(x) = −softplus(−x). Not tf.logSigmoid: its gradient closes over an input tensor
      // instead of saving it, which breaks once a tidy has released that input.
      const la1 = tf.neg(tf.softplus(tf.neg(a)));
      const la0 = tf.neg(tf.softplus(a));
      const lb1 = tf.neg(tf.softplus(tf.neg(b)));
      const lb0 = tf.neg(tf.softplus(b));
      const one = tf.mul(tf.sub(tf.exp(la1), tf.exp(lb1)), tf.sub(la1, lb1));
      const zero = tf.mul(tf.sub(tf.exp(la0), tf.exp(lb0)), tf.sub(la0, lb0));
      return tf.mean(tf.add(one, zero)) as tf.Scalar;
    }
    const la = tf.logSoftmax(a);
    const lb = tf.logSoftmax(b);
    const perRow = tf.sum(tf.mul(tf.sub(tf.exp(la), tf.exp(lb)), tf.sub(la, lb)), -1);
    return tf.mean(perRow) as tf.Scalar;
  });
}

/** One perturbation point met during a forward pass, in call order. */
export interface PerturbSlot {
  where: Modality;
  shape: [number, number, number];
}

export interface Perturbation extends PerturbSlot {
  /** δ (host copy, row-major like the perturbed tensor); null when this modality is not attacked. */
  delta: Float32Array | null;
}

type PerturbFn = NonNullable<EncodeOptions['perturb']>;
type Forward = (perturb: PerturbFn) => LossResult;

/** A perturb hook adding deltas[i] at the i-th call (shapes checked against the recorded slots). */
function adding(slots: readonly PerturbSlot[], deltas: readonly (tf.Tensor3D | null)[]): PerturbFn {
  let i = 0;
  return (where, x) => {
    const s = slots[i];
    const d = deltas[i];
    i++;
    if (!s || s.where !== where || s.shape.some((n, j) => n !== x.shape[j])) {
      throw new Error(`adversarial forward ${i} (${where} [${x.shape.join(', ')}]) differs from the clean forward`);
    }
    return d ? tf.add(x, d) : x;
  };
}

/** x ← x + η·g/max(‖g‖, 1e-8), then projected onto ‖x‖ ≤ ε, per example (leading axis). */
export function pgdUpdate(delta: Float32Array, grad: Float32Array, rows: number, eta: number, eps: number): void {
  const per = delta.length / rows;
  for (let b = 0; b < rows; b++) {
    const o = b * per;
    let g2 = 0;
    for (let j = 0; j < per; j++) g2 += grad[o + j] * grad[o + j];
    const scale = eta / Math.max(Math.sqrt(g2), 1e-8);
    let d2 = 0;
    for (let j = 0; j < per; j++) {
      delta[o + j] += scale * grad[o + j];
      d2 += delta[o + j] * delta[o + j];
    }
    const norm = Math.sqrt(d2);
    if (norm > eps) {
      const shrink = eps / norm;
      for (let j = 0; j < per; j++) delta[o + j] *= shrink;
    }
  }
}

/**
 * K PGD steps from δ = 0 against `forward`, ascending L(adv) + β·symKL(cleanLogits, adv logits).
 * Returns detached host deltas, one per slot.
 */
export function pgdAttack(
  forward: Forward,
  cleanLogits: tf.Tensor,
  slots: readonly PerturbSlot[],
  o: ResolvedAdversarial,
): Perturbation[] {
  const out: Perturbation[] = slots.map((s) => ({
    ...s,
    delta:
      o.modalities.includes(s.where) && o.epsilon[s.where] > 0
        ? new Float32Array(s.shape[0] * s.shape[1] * s.shape[2])
        : null,
  }));
  const active = out.filter((p) => p.delta);
  if (active.length === 0) return out;
  for (let k = 0; k < o.steps; k++) {
    const grads = tf.tidy(() => {
      const ts = out.map((p) => (p.delta ? tf.tensor3d(p.delta, p.shape) : null));
      const xs = ts.filter((t): t is tf.Tensor3D => t !== null);
      const { value, grads: g } = tf.engine().gradients(
        () => {
          const adv = forward(adding(slots, ts));
          return o.beta > 0
            ? tf.add(adv.loss, tf.mul(symmetricKl(cleanLogits, adv.logits, o.klMode), o.beta))
            : adv.loss;
        },
        xs,
        undefined,
        true,
      );
      value.dispose();
      // host copies: the next δ must not be connected to this step's graph
      return g.map((t, i) => (t ? (t.dataSync() as Float32Array).slice() : new Float32Array(xs[i].size)));
    });
    active.forEach((p, i) => pgdUpdate(p.delta!, grads[i], p.shape[0], o.stepSize[p.where], o.epsilon[p.where]));
  }
  return out;
}

/** Forward passes of one batch with fixed dropout and task randomness, plus the slot recording. */
function forwards<K extends TaskKind>(
  task: TaskDefinition<K>,
  encoder: Encoder,
  head: ParamMap,
  batch: ExampleByKind[K][],
  opts: EncodeOptions & { rng: Rng },
): {
  forward: Forward;
  clean: () => { result: LossResult; slots: PerturbSlot[] };
} {
  const seed = opts.rng.nextU32();
  const forward: Forward = (perturb) => task.loss(encoder, head, batch, { ...opts, rng: new Rng(seed), perturb });
  const clean = (): { result: LossResult; slots: PerturbSlot[] } => {
    const slots: PerturbSlot[] = [];
    const result = forward((where, x) => {
      slots.push({ where, shape: [x.shape[0], x.shape[1], x.shape[2]] });
      return x;
    });
    return { result, slots };
  };
  return { forward, clean };
}

export interface AdversarialLoss {
  loss: tf.Scalar;
  cleanLoss: tf.Scalar;
  advLoss: tf.Scalar;
  kl: tf.Scalar;
  cleanLogits: tf.Tensor;
  perturbations: Perturbation[];
}

/** The full adversarial objective on one batch (tensors owned by the caller's scope). */
export function adversarialLoss<K extends TaskKind>(
  task: TaskDefinition<K>,
  encoder: Encoder,
  head: ParamMap,
  batch: ExampleByKind[K][],
  opts: EncodeOptions & { rng: Rng },
  o: ResolvedAdversarial,
): AdversarialLoss {
  const f = forwards(task, encoder, head, batch, opts);
  const { result: clean, slots } = f.clean();
  const perturbations = pgdAttack(f.forward, clean.logits, slots, o);
  const deltas = perturbations.map((p) => (p.delta ? tf.tensor3d(p.delta, p.shape) : null));
  const adv = f.forward(adding(slots, deltas));
  const kl = symmetricKl(clean.logits, adv.logits, o.klMode);
  const loss = tf.addN([clean.loss, tf.mul(adv.loss, o.alpha), tf.mul(kl, o.beta)]) as tf.Scalar;
  return { loss, cleanLoss: clean.loss, advLoss: adv.loss, kl, cleanLogits: clean.logits, perturbations };
}

/**
 * The adversarial objective for the training loop's `objective` option (fineTune / runLoop):
 * the ordinary seeded, masked loop then trains adversarially.
 */
export function adversarialObjective<K extends TaskKind>(
  task: TaskDefinition<K>,
  options: AdversarialOptions = {},
): Objective<K> {
  const o = resolveAdversarial(task.kind, options);
  return (encoder, head, batch, opts) => adversarialLoss(task, encoder, head, batch, opts, o).loss;
}

/** The task with its training loss replaced by the adversarial objective (evaluation unchanged). */
export function adversarialTask<K extends TaskKind>(
  task: TaskDefinition<K>,
  options: AdversarialOptions = {},
): TaskDefinition<K> {
  const o = resolveAdversarial(task.kind, options);
  return {
    ...task,
    loss(encoder, head, batch, opts) {
      const r = adversarialLoss(task, encoder, head, batch, opts, o);
      return { loss: r.loss, logits: r.cleanLogits };
    },
  };
}
